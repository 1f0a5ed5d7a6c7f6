// `ser-native worker`: runs the jobs of the queue on this machine until stopped: optimize --queue's evaluations and
// train --folds K --queue's trainings (folds and members).
// Thin wrapper: the work is in lib/optimize/evaluators/queue/worker.ts.
import type { Argv } from 'yargs';
import { QUEUE_DEFAULTS } from '../../lib/queue/settings';
import type { WorkerEvent } from '../../lib/optimize/evaluators/queue/worker';
import { meta, type Command } from '../command-meta';
import { UsageError } from '../errors';

interface Args {
  queue: string;
  cpuSlots?: number;
  gpus?: string;
  threads?: number;
  dataRoot: string;
  name?: string;
  lockSeconds: number;
  stalledSeconds: number;
  refuseSeconds: number;
  stopSeconds: number;
  json: boolean;
}

function text(e: WorkerEvent): string | null {
  switch (e.event) {
    case 'ready':
      return `worker ${e.worker}: ${e.slots.length} slot(s) (${e.slots.join(', ')}) × ${e.threads} thread(s), data root ${e.dataRoot}, ser-native ${e.versions.package} / LibTorch ${e.versions.libtorch}; waiting for jobs on ${e.queue} (Ctrl-C to stop)`;
    case 'started':
      return `${e.study} #${e.index}: started on ${e.slot} (pid ${e.pid}, attempt ${e.attempt})`;
    case 'completed':
      return `${e.study} #${e.index}: fitness ${e.fitness.toFixed(4)}${e.cached ? ' (stored result reused)' : ` in ${e.seconds.toFixed(1)} s`}`;
    case 'failed':
      return `${e.study} #${e.index} failed${e.retry ? ' (will be retried)' : ''}: ${e.error}`;
    case 'refused':
      return `${e.study} #${e.index} refused: ${e.error}`;
    case 'handed-back':
      return `${e.study} #${e.index}: stopped, ${e.queued ? 'job handed back to the queue' : 'Redis unreachable: the job goes back to the queue when its lock expires'}`;
    case 'train-started':
      return `${e.run} ${e.label}: training started on ${e.slot} (pid ${e.pid}, attempt ${e.attempt})`;
    case 'train-completed':
      return `${e.run} ${e.label}: trained in ${e.seconds.toFixed(1)} s (best epoch ${e.bestEpoch} of ${e.epochsRun}); ${e.files} files (${(e.bytes / 1e6).toFixed(1)} MB) sent back through Redis`;
    case 'train-failed':
      return `${e.run} ${e.label} failed${e.retry ? ' (will be retried)' : ''}: ${e.error}`;
    case 'train-refused':
      return `${e.run} ${e.label} refused: ${e.error}`;
    case 'train-handed-back':
      return `${e.run} ${e.label}: stopped, ${e.queued ? 'job handed back to the queue' : 'Redis unreachable: the job goes back to the queue when its lock expires'}`;
    case 'error':
      return `queue error: ${e.error}`;
    case 'closed':
      return `worker ${e.worker} stopped`;
  }
}

function parseGpus(v: string | undefined): number[] {
  if (v === undefined || v === '') return [];
  return v.split(',').map((s) => {
    if (!/^\d+$/.test(s.trim())) throw new UsageError(`--gpus ${v}: expected CUDA device indices like 0,1`);
    return Number(s);
  });
}

export const workerCommand: Command<Args> = {
  ...meta('worker'),
  builder: (y: Argv<object>) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'Redis of the queue (optimize --queue studies, train --folds K --queue runs): redis://HOST:PORT[/DB]' })
      .option('cpu-slots', { type: 'number', describe: 'Jobs (evaluations or trainings) at once on the CPU (default max(1, cores/2), or 0 with --gpus)' })
      .option('gpus', { type: 'string', describe: 'CUDA devices, one job slot each, e.g. 0,1' })
      .option('threads', { type: 'number', describe: 'LibTorch threads per slot (default SER_NATIVE_THREADS, else cores / CPU slots)' })
      .option('data-root', { type: 'string', default: '.', describe: "Folder the jobs' relative data paths are resolved against" })
      .option('name', { type: 'string', describe: 'Name in results and logs (default HOST:PID)' })
      .option('lock-seconds', { type: 'number', default: QUEUE_DEFAULTS.lockSeconds, describe: 'Job lock duration; if this worker dies its jobs are retried after it expires' })
      .option('stalled-seconds', { type: 'number', default: QUEUE_DEFAULTS.stalledSeconds, describe: 'How often to look for jobs of dead workers' })
      .option('refuse-seconds', { type: 'number', default: QUEUE_DEFAULTS.refuseSeconds, describe: 'After refusing a job (other data or versions), hide it this long and pause twice as long' })
      .option('stop-seconds', { type: 'number', default: QUEUE_DEFAULTS.stopSeconds, describe: 'On SIGTERM/SIGINT, let a running evaluation or training finish this long, then hand its job back to the queue' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON event per line on stdout instead of text on stderr' })
      .example('$0 worker --queue redis://10.0.0.5:6379 --data-root /data', 'Take jobs with max(1, cores/2) CPU slots')
      .example('$0 worker --queue redis://10.0.0.5:6379 --gpus 0,1 --data-root /data', 'One slot per GPU') as unknown as Argv<Args>,
  flagNames: () => ({ queue: '--queue', cpuSlots: '--cpu-slots', threads: '--threads', lockSeconds: '--lock-seconds', stalledSeconds: '--stalled-seconds', refuseSeconds: '--refuse-seconds', stopSeconds: '--stop-seconds' }),
  handler: async (a) => {
    const { startWorker } = await import('../../lib/optimize/evaluators/queue/worker');
    const print = (e: WorkerEvent) => {
      if (a.json) process.stdout.write(JSON.stringify(e) + '\n');
      else {
        const t = text(e);
        if (t) process.stderr.write(t + '\n');
      }
    };
    const worker = await startWorker({
      queue: a.queue,
      cpuSlots: a.cpuSlots,
      gpus: parseGpus(a.gpus),
      threads: a.threads,
      dataRoot: a.dataRoot,
      name: a.name,
      lockSeconds: a.lockSeconds,
      stalledSeconds: a.stalledSeconds,
      refuseSeconds: a.refuseSeconds,
      stopSeconds: a.stopSeconds,
      onEvent: print,
    });
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = () => {
        if (!stopping && !a.json) {
          process.stderr.write(`stopping: taking no new job; a running evaluation may finish for ${a.stopSeconds} s, then its job goes back to the queue (Ctrl-C again: at once)\n`);
        }
        // A second signal hands the running jobs back at once. close() settles in bounded time even when Redis is
        // unreachable; the timer is the last resort should anything still hang.
        if (!stopping) setTimeout(() => process.exit(1), 1000 * (a.stopSeconds + 4 * QUEUE_DEFAULTS.closeSeconds + 5)).unref();
        worker.close(stopping).then(resolve, resolve);
        stopping = true;
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    // Exit now: with Redis gone, the client's reconnect timer would keep the process alive.
    process.exit(process.exitCode ?? 0);
  },
};
