// The run's state on disk: out/state.json (settings + optimizer checkpoints + final training), rewritten
// atomically after every iteration, and the other files' places in out/. A new run refuses an out folder
// that holds one; resume (or a restarted queue coordinator) continues it.
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import type { MinimizeCheckpoint } from '../hpo/minimize';
import type { RaceCheckpoint } from '../hpo/race-minimize';
import type { RecheckOutcome } from './recheck';
import * as is from '../is';
import type { ClassificationReport } from '../metrics';
import { writeJsonAtomic } from './journal';
import { resolveSettings, resumeSettings, type RunSettings, type SettingsInput } from './settings';

export interface FinalTraining {
  /** Index of the evaluation whose configuration was retrained. */
  index: number;
  epochs: number;
  metrics: ClassificationReport | null;
  seconds: number;
}

export interface RunState {
  kind: 'ser-native/optimize-run';
  version: 1;
  settings: RunSettings;
  /** The optimizer checkpoints: hpo minimize(), or with --race raceMinimize(). */
  search: MinimizeCheckpoint | RaceCheckpoint | null;
  baseline: MinimizeCheckpoint | RaceCheckpoint | null;
  final: FinalTraining | null;
  /** Queue mode: the study this out folder belongs to. */
  study?: string;
  /** --folds: the fold split specs, fixed at the start so every candidate (and a resume) uses the same. */
  folds?: string[];
  /** --folds with a recheck: fresh folds (the tuning speakers grouped with another seed) for the recheck. */
  recheckFolds?: string[];
  /** The recheck of the best against the starting recipe (lib/optimize/recheck.ts), once done. */
  recheck?: RecheckOutcome | null;
}

export interface RunFiles {
  state: string;
  evaluations: string;
  baseline: string;
  best: string;
  report: string;
  result: string;
}

export function runFiles(out: string): RunFiles {
  return {
    state: path.join(out, 'state.json'),
    evaluations: path.join(out, 'evaluations.jsonl'),
    baseline: path.join(out, 'baseline-evaluations.jsonl'),
    best: path.join(out, 'best'),
    report: path.join(out, 'report.html'),
    result: path.join(out, 'result.json'),
  };
}

function readState(file: string): RunState {
  let s: RunState;
  try {
    s = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SerNativeError('ERR_DATA', `cannot read ${file}: ${(e as Error).message}; it is not a resumable optimize state`, { cause: e });
  }
  if (s?.kind !== 'ser-native/optimize-run' || s.version !== 1) throw new SerNativeError('ERR_DATA', `${file} is not a version 1 ser-native optimize state`);
  return s;
}

export interface OpenedRun {
  state: RunState;
  resumed: boolean;
  /** Writes state.json atomically. */
  save(): void;
}

/** A new run's state, or the saved one to continue (`resume`, or a queue study found in `out`). */
export function openRunState(input: SettingsInput & { resume?: boolean }, out: string, study: string | null): OpenedRun {
  const file = runFiles(out).state;
  let state: RunState;
  // A restarted coordinator continues its study without being told to.
  const resumed = input.resume === true || (study !== null && fs.existsSync(file));
  if (resumed) {
    if (!fs.existsSync(file)) throw is.invalidArgument(`nothing to resume in ${out}: it has no state.json (start a search there without resume: true, --resume)`);
    state = readState(file);
    if ((state.study ?? null) !== study) {
      throw is.invalidArgument(
        state.study === undefined
          ? `${out} holds a local optimize run: continue it without --queue, or give the study another out folder`
          : `${out} holds the queue study '${state.study}': continue it with --queue ... --study ${state.study}, or use another out folder`,
      );
    }
    state.settings = resumeSettings(state.settings, input, out);
  } else {
    if (fs.existsSync(file)) throw is.invalidArgument(`${out} already holds an optimize run (state.json): pass resume: true (--resume) to continue it, or choose another out folder`);
    state = { kind: 'ser-native/optimize-run', version: 1, settings: resolveSettings(input), search: null, baseline: null, final: null };
    if (study !== null) state.study = study;
  }
  return { state, resumed, save: () => writeJsonAtomic(file, state) };
}
