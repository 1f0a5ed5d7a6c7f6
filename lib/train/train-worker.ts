// A worker process of trainFolds({ workers }) (lib/process-pool.ts), and of a `ser-native worker` slot for
// trainFolds({ queue }): trains one fold or member per job with train(), with this process's LibTorch threads
// (SER_NATIVE_THREADS, set by the pool), and answers with what trainFolds needs to go on; the run's files are in
// the job's out folder. Decoded audio stays cached between jobs. Progress goes to stderr, one line per epoch,
// named by the job, and each epoch's record to the pool (serveJobs' progress: the queue worker forwards it).
import type { DeepPartial, TrainConfig } from '../model/config';
import { serveJobs } from '../process-pool';
import type { AudioCache } from './data';
import type { TrainOptions } from './types';

/** One training of trainFolds, as plain JSON (no functions, no cache). */
export interface TrainJob {
  /** How progress and failures name it, e.g. 'fold 2/3' or 'member 1/3'. */
  label: string;
  options: Omit<TrainOptions, 'onProgress' | 'signal' | 'audioCache' | 'config'> & { config: DeepPartial<TrainConfig> };
}

export interface TrainJobResult {
  labels: string[];
  bestEpoch: number;
  epochsRun: number;
  cancelled: boolean;
}

/** Runs one job in this process (the worker's body; trainFolds' in-process path calls train() the same way). */
export async function runTrainJob(job: TrainJob, audioCache: AudioCache, extra: Pick<TrainOptions, 'onProgress' | 'signal'> = {}): Promise<TrainJobResult> {
  const { train } = await import('./train');
  const r = await train({ ...job.options, audioCache, ...extra });
  return { labels: r.labels, bestEpoch: r.bestEpoch, epochsRun: r.history.length, cancelled: r.cancelled };
}

if (require.main === module) {
  const audioCache: AudioCache = new Map();
  serveJobs<TrainJob, TrainJobResult>('ser-native train-worker', (job, progress) =>
    runTrainJob(job, audioCache, {
      onProgress: (p) => {
        if (p.phase !== 'epoch') return;
        progress(p);
        const r = p.record;
        const val = r.valUar === null ? 'no validation' : `val UAR ${(100 * r.valUar).toFixed(1)}%${r.valUarAdapted !== undefined ? ` (adapted ${(100 * r.valUarAdapted).toFixed(1)}%)` : ''}`;
        process.stderr.write(`${job.label}: epoch ${r.epoch}: loss ${r.trainLoss.toFixed(3)} | ${val} | ${r.seconds.toFixed(1)} s (pid ${process.pid})\n`);
      },
    }),
  );
}
