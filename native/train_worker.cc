#include "train_worker.h"

#include "threads.h"

namespace ser {

TrainEpochWorker::TrainEpochWorker(Napi::Env env, std::shared_ptr<Trainer> trainer, std::shared_ptr<std::atomic<bool>> cancel, EpochJob job,
                                   Napi::Function onProgress)
    : Napi::AsyncProgressQueueWorker<BatchProgress>(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      trainer_(std::move(trainer)),
      cancel_(std::move(cancel)),
      job_(std::move(job)) {
  if (!onProgress.IsEmpty()) onProgress_ = Napi::Persistent(onProgress);
}

Napi::Promise startEpoch(Napi::Env env, std::shared_ptr<Trainer> trainer, std::shared_ptr<std::atomic<bool>> cancel, EpochJob job,
                         const Napi::Value& onProgress) {
  cancel->store(false);
  auto* worker = new TrainEpochWorker(env, std::move(trainer), std::move(cancel), std::move(job),
                                      onProgress.IsFunction() ? onProgress.As<Napi::Function>() : Napi::Function());
  auto promise = worker->Promise();
  worker->Queue();  // libuv owns the worker from here and deletes it after OnOK/OnError
  return promise;
}

void TrainEpochWorker::Execute(const ExecutionProgress& progress) {
  // Runs on the libuv pool: tensors only, no JS. Every exception becomes a rejection.
  try {
    auto lock = trainer_->lockIdle();
    applyIntraOpThreads();
    const bool report = !onProgress_.IsEmpty();
    result_ = job_([&](int64_t b, int64_t of, double loss) {
      if (report) {
        BatchProgress p{b, of, loss};
        progress.Send(&p, 1);
      }
    }, *cancel_);
  } catch (const std::exception& e) {
    failure_ = capture(e);
    SetError(failure_.message);
  }
}

void TrainEpochWorker::OnProgress(const BatchProgress* data, size_t count) {
  if (onProgress_.IsEmpty()) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  for (size_t i = 0; i < count; ++i) {
    auto o = Napi::Object::New(env);
    o.Set("batch", Napi::Number::New(env, static_cast<double>(data[i].batch)));
    o.Set("batches", Napi::Number::New(env, static_cast<double>(data[i].batches)));
    o.Set("loss", Napi::Number::New(env, data[i].loss));
    try {
      onProgress_.Call({o});
    } catch (const Napi::Error&) {
      // A throwing progress callback must not take the worker down; the error is dropped.
    }
  }
}

void TrainEpochWorker::OnOK() {
  Napi::Env env = Env();
  auto o = Napi::Object::New(env);
  o.Set("loss", result_.loss);
  o.Set("accuracy", result_.accuracy);
  o.Set("batches", Napi::Number::New(env, static_cast<double>(result_.batches)));
  o.Set("samples", Napi::Number::New(env, static_cast<double>(result_.samples)));
  o.Set("cancelled", result_.cancelled);
  const EpochTimings& t = result_.seconds;
  auto sec = Napi::Object::New(env);
  sec.Set("batch", t.batch);
  sec.Set("specAugment", t.specAugment);
  sec.Set("forward", t.forward);
  sec.Set("backward", t.backward);
  sec.Set("step", t.step);
  sec.Set("progress", t.progress);
  sec.Set("noise", t.noise);
  sec.Set("noisyLogMel", t.noisyLogMel);
  sec.Set("crops", t.crops);
  o.Set("seconds", sec);
  o.Set("intraOpThreads", Napi::Number::New(env, t.intraOpThreads));
  deferred_.Resolve(o);
}

void TrainEpochWorker::OnError(const Napi::Error&) { deferred_.Reject(toJsError(Env(), failure_).Value()); }

PredictWorker::PredictWorker(Napi::Env env, std::shared_ptr<Trainer> trainer, torch::Tensor features)
    : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), trainer_(std::move(trainer)), features_(std::move(features)) {}

void PredictWorker::Execute() {
  try {
    auto lock = trainer_->lockIdle();
    applyIntraOpThreads();
    probabilities_ = trainer_->predict(features_, kPredictBatch);
  } catch (const std::exception& e) {
    failure_ = capture(e);
    SetError(failure_.message);
  }
}

void PredictWorker::OnOK() { deferred_.Resolve(toFloat32Array(Env(), probabilities_)); }

void PredictWorker::OnError(const Napi::Error&) { deferred_.Reject(toJsError(Env(), failure_).Value()); }

}  // namespace ser
