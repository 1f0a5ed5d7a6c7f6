// Prediction latency and throughput: ser-native against onnxruntime-node running the same weights
// (exported with lib/export/onnx.ts) in the same process and run, at the same thread count.
//
//   npm run bench:predict [-- --reps 200 --json --trained DIR --serial-windows N --precision bfloat16]
//
// Model: the default architecture and features (lib/model/config.ts), randomly initialised with a
// fixed seed unless --trained gives a bundle (timing does not depend on the weights' values).
// Cases:
//  - forward: one clip's windows (a 3.5 s clip → 1 window of 301 frames) through one network (the
//    bundle's first member), ser-native (NativeModel.predict) vs onnxruntime on the --no-features
//    export of that member alone, 1 and 2 threads;
//  - forward by batch size: 1 to 16 windows in one call, 1 and 2 threads, both runtimes;
//  - warm WAV→emotion: predict() on a 3.5 s 48 kHz WAV file on 2 threads, median and p90, with the
//    median of each stage (read+parse, resample, speech detection, log-mel+windows+forward);
//  - predictBatch throughput: 64 one-window clips (3 s at 16 kHz) through features and every
//    member, ser-native probabilities() vs onnxruntime on the full export, 2 threads;
//  - cold start: a fresh `node` that requires the package and loads the model (median of 5).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import * as ort from 'onnxruntime-node';
import { packageRoot } from '../lib/binding';
import { setNumThreads, setSerialForwardWindows } from '../lib/device';
import { resolveTrainConfig } from '../lib/model/config';
import { saveBundle, readBundle } from '../lib/model/bundle';
import { NativeModel } from '../lib/model/native-model';
import { loadModel } from '../lib/model/model';
import { exportOnnx } from '../lib/export/onnx';
import { readWav, writeWav } from '../lib/audio/wav';
import { resampleNative } from '../lib/audio/decode';
import { detectSpeech, trimToSpeech } from '../lib/audio/vad';
import { windowFrames } from '../lib/model/features';

const argv = yargs(hideBin(process.argv))
  .option('reps', { type: 'number', default: 200 })
  .option('json', { type: 'boolean', default: false })
  .option('trained', { type: 'string', describe: 'a trained bundle to time instead of a random one' })
  .option('serial-windows', { type: 'number', describe: 'the thread policy: forwards of at most N windows on one thread (0: off; default: the package default)' })
  .option('precision', { choices: ['float32', 'bfloat16'] as const, default: 'float32' as const, describe: "ser-native's inference precision (onnxruntime stays float32)" })
  .parseSync();

const now = () => Number(process.hrtime.bigint()) / 1e6;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
function timeSync(f: () => unknown, reps: number): number[] {
  for (let i = 0; i < 5; i++) f();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = now();
    f();
    out.push(now() - t);
  }
  return out;
}
async function timeAsync(f: () => Promise<unknown>, reps: number): Promise<number[]> {
  for (let i = 0; i < 5; i++) await f();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = now();
    await f();
    out.push(now() - t);
  }
  return out;
}

/** A 3.5 s 48 kHz speech file: RAVDESS Actor_01 when ../shared is here, else a synthetic voiced clip. */
function wavFile(dir: string): { file: string; source: string } {
  const real = path.resolve(packageRoot(), '..', 'shared', 'data', 'ravdess', 'Actor_01', '03-01-05-02-01-01-01.wav');
  if (fs.existsSync(real)) {
    const w = readWav(real);
    if (w.sampleRate === 48000) {
      const n = Math.round(3.5 * 48000);
      const s = new Float32Array(n);
      s.set(w.samples.subarray(0, n));
      const f = path.join(dir, 'clip-48k.wav');
      writeWav(f, s, 48000);
      return { file: f, source: 'RAVDESS Actor_01 03-01-05-02-01-01-01.wav, first 3.5 s' };
    }
  }
  const sr = 48000;
  const s = Float32Array.from({ length: 3.5 * sr }, (_, i) => 0.2 * Math.sin((2 * Math.PI * 140 * i) / sr) * (0.5 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / sr)));
  const f = path.join(dir, 'clip-48k.wav');
  writeWav(f, s, sr);
  return { file: f, source: 'synthetic voiced tone (../shared missing)' };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-predict-'));
  const report: Record<string, unknown> = { machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((x) => +x.toFixed(1)) } };
  if (argv['serial-windows'] !== undefined) setSerialForwardWindows(argv['serial-windows']);
  // The thread policy in force (setSerialForwardWindows sets and returns the previous value: read, then put back).
  const serialWindows = setSerialForwardWindows(0);
  setSerialForwardWindows(serialWindows);
  report.serialForwardWindows = serialWindows;
  try {
    let dir = argv.trained;
    if (!dir) {
      dir = path.join(tmp, 'model');
      const c = resolveTrainConfig({});
      const labels = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
      const net = new NativeModel(c.architecture, c.features.logMel.nMels, labels.length, 'cpu', 1);
      saveBundle(dir, { labels, features: c.features, architecture: c.architecture, versions: { package: 'bench', libtorch: 'bench' } }, net.getState());
    }
    report.model = argv.trained ? `trained bundle ${argv.trained}` : 'default architecture and features, randomly initialised (seed 1), 8 classes';
    const { meta, members } = readBundle(dir);
    const full = path.join(tmp, 'full.onnx');
    const netOnly = path.join(tmp, 'net.onnx');
    exportOnnx(dir, full);
    // The forward cases time one network on both sides: the first member alone (a bundle's export
    // holds every member, so a 3-member ensemble's would run three networks against our one).
    const oneMember = path.join(tmp, 'one-member');
    saveBundle(oneMember, { labels: meta.labels, features: meta.features, architecture: members[0].architecture, versions: meta.versions }, members[0].state);
    exportOnnx(oneMember, netOnly, { features: false });
    report.members = members.length;
    report.precision = argv.precision;
    const nMels = meta.features.logMel.nMels;
    const frames = windowFrames(meta.features);
    const k = meta.labels.length;

    // 1. forward on one window, 1 and 2 threads
    const x = new Float32Array(nMels * frames).map((_, i) => 10 * Math.sin(i * 0.37) - 5);
    const forward: Record<string, unknown>[] = [];
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      const net = new NativeModel(members[0].architecture, nMels, k, 'cpu', 0);
      net.setState(members[0].state);
      net.setInferencePrecision(argv.precision);
      const ours = timeSync(() => net.predict(x, 1, frames), argv.reps);
      const session = await ort.InferenceSession.create(netOnly, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
      const feeds = { logmel: new ort.Tensor('float32', x, [1, nMels, frames]) };
      const theirs = await timeAsync(() => session.run(feeds), argv.reps);
      forward.push({ threads, serNativeMs: +quantile(ours, 0.5).toFixed(3), onnxruntimeMs: +quantile(theirs, 0.5).toFixed(3), ratio: +(quantile(ours, 0.5) / quantile(theirs, 0.5)).toFixed(2) });
    }
    report.forward = forward;

    // 1b. forward by batch size: windows of one call (clips × windows; predict's chunks hold up to 8),
    // 1 and 2 threads, median ms per call: where a second intra-op thread starts to pay (issue 26's thread policy).
    const byWindows: Record<string, unknown>[] = [];
    for (const windows of [1, 2, 4, 8, 16]) {
      const xs = new Float32Array(windows * nMels * frames).map((_, i) => 10 * Math.sin(i * 0.37) - 5);
      const row: Record<string, unknown> = { windows };
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        const net = new NativeModel(members[0].architecture, nMels, k, 'cpu', 0);
        net.setState(members[0].state);
      net.setInferencePrecision(argv.precision);
        const session = await ort.InferenceSession.create(netOnly, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
        const feeds = { logmel: new ort.Tensor('float32', xs, [windows, nMels, frames]) };
        const reps = Math.max(20, Math.round(argv.reps / windows));
        row[`serNative${threads}Ms`] = +quantile(timeSync(() => net.predict(xs, windows, frames), reps), 0.5).toFixed(3);
        row[`onnxruntime${threads}Ms`] = +quantile(await timeAsync(() => session.run(feeds), reps), 0.5).toFixed(3);
      }
      byWindows.push(row);
    }
    report.forwardByWindows = byWindows;

    // 2. warm WAV→emotion, 2 threads
    setNumThreads(2);
    const { file, source } = wavFile(tmp);
    const model = loadModel(dir, { precision: argv.precision });
    const sr = meta.features.logMel.sampleRate;
    const total = timeSync(() => model.predict(file), argv.reps);
    const bytes = fs.readFileSync(file);
    const wav = readWav(bytes);
    const clip = resampleNative(wav.samples, wav.sampleRate, sr);
    const found = detectSpeech(clip, sr);
    const trimmed = trimToSpeech(clip, sr, found, { minSeconds: meta.features.clipSeconds });
    const stages = {
      readAndParse: timeSync(() => readWav(fs.readFileSync(file)), argv.reps),
      resample48to16: timeSync(() => resampleNative(wav.samples, wav.sampleRate, sr), argv.reps),
      speechDetection: timeSync(() => trimToSpeech(clip, sr, detectSpeech(clip, sr), { minSeconds: meta.features.clipSeconds }), argv.reps),
      logMelWindowsForward: timeSync(() => model.probabilities([trimmed]), argv.reps),
    };
    const asyncTotal = await timeAsync(() => model.predictAsync(file), argv.reps);
    report.wavToEmotion = {
      file: source,
      threads: 2,
      medianMs: +quantile(total, 0.5).toFixed(3),
      p90Ms: +quantile(total, 0.9).toFixed(3),
      p90OverMedian: +(quantile(total, 0.9) / quantile(total, 0.5)).toFixed(2),
      asyncMedianMs: +quantile(asyncTotal, 0.5).toFixed(3),
      stageMedianMs: Object.fromEntries(Object.entries(stages).map(([s, t]) => [s, +quantile(t, 0.5).toFixed(3)])),
    };

    // 3. batch of 64 one-window clips, features + network, 2 threads
    const n = Math.round(meta.features.clipSeconds * sr);
    const clips = Array.from({ length: 64 }, (_, c) => Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin(i * (0.03 + c * 0.0007)) * Math.sin(i * 0.0005) + 0.01 * Math.sin(i * 1.7)));
    const reps = Math.max(5, Math.round(argv.reps / 20));
    const oursBatch = timeSync(() => model.probabilities(clips), reps);
    const session = await ort.InferenceSession.create(full, { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential' });
    const batch = new Float32Array(64 * n);
    clips.forEach((c, i) => batch.set(c, i * n));
    const feeds = { samples: new ort.Tensor('float32', batch, [64, n]) };
    const theirsBatch = await timeAsync(() => session.run(feeds), reps);
    report.batch64 = {
      threads: 2,
      serNativeClipsPerSecond: +(64000 / quantile(oursBatch, 0.5)).toFixed(1),
      onnxruntimeClipsPerSecond: +(64000 / quantile(theirsBatch, 0.5)).toFixed(1),
    };

    // 4. cold start in fresh processes
    const script = `const t=process.hrtime.bigint();const s=require(${JSON.stringify(path.join(packageRoot(), 'dist', 'lib', 'index.js'))});const a=process.hrtime.bigint();s.loadModel(${JSON.stringify(dir)});const b=process.hrtime.bigint();console.log(JSON.stringify([Number(a-t)/1e6,Number(b-a)/1e6]))`;
    const cold = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as [number, number]);
    report.coldStart = {
      requireMs: +quantile(cold.map((c) => c[0]), 0.5).toFixed(1),
      loadModelMs: +quantile(cold.map((c) => c[1]), 0.5).toFixed(1),
      totalMs: +quantile(cold.map((c) => c[0] + c[1]), 0.5).toFixed(1),
    };
    report.machine = { ...(report.machine as object), loadavgAfter: os.loadavg().map((v) => +v.toFixed(1)) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (argv.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`bench:predict: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
