// The evaluation worker process: runs runEvaluation() on jobs it receives and answers with plain JSON.
//
// Under child_process.fork (pool.ts), over IPC, one job at a time:
//   parent → child  { type: 'job', id, job }                job: EvaluationJob (objective.ts)
//   child  → parent { type: 'result', id, result }          result: EvaluationResult
//                   { type: 'error', id, error: { name, message, code? } }
// The decoded audio stays cached in this process between jobs. The child exits when the parent goes away
// (IPC disconnect), so a killed optimize run leaves no orphans.
//
// On its own, for one job:  node dist/lib/optimize/evaluators/pool/eval-worker.js job.json   (or - for stdin)
// prints the EvaluationResult as JSON on stdout, or the error on stderr with exit code 1.
import * as fs from 'fs';
import { SerNativeError } from '../../../errors';
import type { AudioCache } from '../../../train/data';
import { serveJobs } from '../../../process-pool';

/** The evaluation code (and LibTorch) is loaded after the watchdog is up: loading takes seconds, and the parent may die meanwhile. */
const loadObjective = () => import('../../objective');

export type { WorkerRequest, WorkerReply, SerializedError } from '../../../process-pool';

function serveIpc(): void {
  const audioCache: AudioCache = new Map();
  let objective: ReturnType<typeof loadObjective> | null = null;
  serveJobs('ser-native eval-worker', async (job: unknown) => (await (objective ??= loadObjective())).runEvaluation(job as never, { audioCache }));
  // serveJobs has started the watchdog: load the evaluation code (and LibTorch) now, before the first job.
  objective ??= loadObjective();
}

async function runOnce(file: string): Promise<void> {
  const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  let job: unknown;
  try {
    job = JSON.parse(text);
  } catch (e) {
    throw new SerNativeError('ERR_DATA', `${file === '-' ? 'stdin' : file} is not a JSON evaluation job: ${(e as Error).message}`, { cause: e });
  }
  const { runEvaluation } = await loadObjective();
  process.stdout.write(JSON.stringify(await runEvaluation(job as never)) + '\n');
}

if (require.main === module) {
  if (process.send) {
    serveIpc();
  } else if (process.argv[2]) {
    runOnce(process.argv[2]).catch((e: unknown) => {
      process.stderr.write(`ser-native eval-worker: ${(e as Error).message ?? String(e)}\n`);
      process.exitCode = 1;
    });
  } else {
    process.stderr.write('usage: node eval-worker.js <job.json | -> (or start it with child_process.fork and send { type: "evaluate", id, job })\n');
    process.exitCode = 2;
  }
}
