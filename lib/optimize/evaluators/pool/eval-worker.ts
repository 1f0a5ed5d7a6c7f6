// The evaluation worker process: runs runEvaluation() on jobs it receives and answers with plain JSON.
//
// Under child_process.fork (pool.ts), over IPC, one job at a time:
//   parent → child  { type: 'evaluate', id, job }           job: EvaluationJob (objective.ts)
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
import type { EvaluationResult } from '../../objective';
import { watchParent } from '../../../parent-watchdog';

/** The evaluation code (and LibTorch) is loaded after the watchdog is up: loading takes seconds, and the parent may die meanwhile. */
const loadObjective = () => import('../../objective');

export type WorkerRequest = { type: 'evaluate'; id: number; job: unknown };
export type WorkerReply =
  | { type: 'result'; id: number; result: EvaluationResult }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? { name: e.name, message: e.message, code } : { name: e.name, message: e.message };
  }
  return { name: 'Error', message: String(e) };
}

function serveIpc(send: (message: WorkerReply) => void): void {
  // 'disconnect' waits for a free JS thread; the watchdog thread does not (lib/parent-watchdog.ts).
  watchParent();
  const objective = loadObjective();
  const audioCache: AudioCache = new Map();
  let queue = Promise.resolve();
  process.on('message', (raw: unknown) => {
    const m = raw as Partial<WorkerRequest> | null;
    if (m === null || typeof m !== 'object' || m.type !== 'evaluate' || typeof m.id !== 'number') {
      process.stderr.write(`ser-native eval-worker: ignoring a message that is not { type: 'evaluate', id, job }: ${JSON.stringify(raw)}\n`);
      return;
    }
    const id = m.id;
    // The pool sends one job at a time; chaining keeps a misbehaving sender from running two at once.
    queue = queue.then(async () => {
      try {
        const { runEvaluation } = await objective;
        send({ type: 'result', id, result: await runEvaluation(m.job as never, { audioCache }) });
      } catch (e) {
        send({ type: 'error', id, error: serializeError(e) });
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal reaches the whole process group: the parent decides (it stops us and records nothing),
  // so a worker must not die first and have its evaluation logged as failed.
  process.on('SIGINT', () => undefined);
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
    const send = process.send.bind(process);
    serveIpc((message) => send(message));
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
