// optimize()'s options: their shape and the checks done before anything is read or started.
import * as is from '../is';
import { validateQueueOptions, type QueueModeOptions } from './evaluators';
import type { SettingsInput } from './settings';
import type { OptimizeProgress } from './types';

export interface OptimizeOptions extends SettingsInput {
  /** Worker processes (default: one per GPU with CUDA, else max(1, floor(cores / 2))); 0 = in this process. */
  workers?: number;
  /** Output folder, default 'ser-optimize'. */
  out?: string;
  /** Continue the run saved in `out` (options that define the run may be omitted; given ones must match). */
  resume?: boolean;
  device?: is.Device;
  onProgress?: (p: OptimizeProgress) => void;
  /** Aborting kills the running evaluations; the run can be resumed from its last completed iteration. */
  signal?: AbortSignal;
  /** Evaluate through a Redis queue instead of local worker processes (then `workers` does not apply). */
  queue?: QueueModeOptions;
}

const OPTION_KEYS: is.KeysOf<OptimizeOptions> = {
  ravdess: true, savee: true, data: true, labelMap: true, split: true, demo: true, demoDir: true,
  algorithm: true, population: true, iterations: true, maxEvals: true, seed: true, epochsPerEval: true, finalEpochs: true, fixed: true, baseline: true,
  rungs: true, eta: true, epochBudget: true, folds: true, warmStart: true, race: true, raceSeeds: true, recheckSeeds: true,
  workers: true, out: true, resume: true, device: true, onProgress: true, signal: true, queue: true,
};

export interface CheckedOptions {
  o: OptimizeOptions;
  device: is.Device;
  queue: QueueModeOptions | null;
  report: (p: OptimizeProgress) => void;
}

/** The options' own checks; the run's settings are checked by settings.ts. */
export function checkOptions(options: OptimizeOptions | undefined): CheckedOptions {
  const o = is.options('options', options, OPTION_KEYS);
  const device = is.device('device', o.device ?? 'auto');
  if (o.workers !== undefined) is.number('workers', o.workers, { min: 0, integer: true });
  if (o.resume !== undefined) is.boolean('resume', o.resume);
  if (o.onProgress !== undefined) is.fn('onProgress', o.onProgress);
  const queue = o.queue === undefined ? null : validateQueueOptions(o.queue);
  if (queue && o.workers !== undefined) throw is.invalidArgument('workers applies to local evaluation; with a queue, start `ser-native worker` processes instead');
  return { o, device, queue, report: o.onProgress ?? (() => undefined) };
}
