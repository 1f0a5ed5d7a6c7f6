// The final retraining: the best configuration trained for finalEpochs into out/best (reused on resume
// when it is already there for the same evaluation and epochs).
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import type * as is from '../is';
import { train } from '../train/train';
import type { EvaluationRecord } from './journal';
import type { FinalTraining, OpenedRun, RunFiles } from './run-state';
import { configToOverrides } from './space';
import type { OptimizeProgress } from './types';

export function cancelled(out: string, reason: unknown): SerNativeError {
  return new SerNativeError('ERR_CANCELLED', `optimize was cancelled; finished evaluations are saved in ${out}: continue with resume: true (ser-native optimize --resume --out ${out})`, { cause: reason });
}

export async function finalTraining(
  run: OpenedRun,
  best: EvaluationRecord,
  o: { files: RunFiles; out: string; device: is.Device; signal?: AbortSignal; report: (p: OptimizeProgress) => void },
): Promise<FinalTraining> {
  const s = run.state.settings;
  const previous = run.state.final;
  if (previous !== null && previous.index === best.index && previous.epochs === s.finalEpochs && fs.existsSync(path.join(o.files.best, 'model', 'model.json'))) return previous;
  const t = await train({
    ...s.data,
    config: configToOverrides(best.config, s.fixed),
    epochs: s.finalEpochs,
    seed: s.seed,
    device: o.device,
    out: o.files.best,
    signal: o.signal,
    onProgress: (progress) => o.report({ phase: 'final', epochs: s.finalEpochs, progress }),
  });
  if (t.cancelled) throw cancelled(o.out, o.signal?.reason);
  const final = { index: best.index, epochs: s.finalEpochs, metrics: t.metrics, seconds: t.seconds };
  run.state.final = final;
  run.save();
  return final;
}
