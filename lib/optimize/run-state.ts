// The run's state on disk: out/state.json (settings + optimizer checkpoints + final training), rewritten
// atomically after every iteration, and the other files' places in out/. A new run refuses an out folder
// that holds one; resume (or a restarted queue coordinator) continues it, in the search space version it
// was started in only (SER_SPACE_VERSION).
//
// Paths in state.json (data folders, the warm-start file) are written relative to out/, so a study kept in a
// repository (studies/NAME/) resumes from another checkout or machine when the data sits at the same place
// relative to it; in memory they are absolute. Files written before that hold absolute paths, read as they are.
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import type { MinimizeCheckpoint } from '../hpo/minimize';
import type { RaceCheckpoint } from '../hpo/race-minimize';
import type { RecheckOutcome } from './recheck';
import type { RaceIteration } from './race-trajectory';
import type { SearchName } from './types';
import * as is from '../is';
import type { ClassificationReport } from '../metrics';
import { writeJsonAtomic } from './journal';
import { resolveSettings, resumeSettings, type RunSettings, type SettingsInput } from './settings';
import { SER_SPACE_VERSION } from './space';

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
  /** SER_SPACE_VERSION of the space searched (absent in files written before it existed: 1). */
  spaceVersion?: number;
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
  /** --race: each search's iterations summarised (race-trajectory.ts); absent in files written before it existed. */
  raceTrajectory?: Partial<Record<SearchName, RaceIteration[]>>;
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

type PathMap = (p: string) => string;

/** The state with its paths mapped by `map` (a copy: the settings are shared with the running search). */
function mapPaths(state: RunState, map: PathMap): RunState {
  const s = state.settings;
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(map));
  const data = { ...s.data, ravdess: list(s.data.ravdess), savee: list(s.data.savee), data: list(s.data.data), demoDir: s.data.demoDir === undefined ? undefined : map(s.data.demoDir) };
  // Undefined keys dropped, as dataOf() does, so the settings compare equal after a round trip.
  const settings = { ...s, data: JSON.parse(JSON.stringify(data)) as RunSettings['data'], warmStart: s.warmStart ? { ...s.warmStart, file: map(s.warmStart.file) } : s.warmStart };
  return { ...state, settings };
}

/** state.json's form: paths relative to out/ (forward slashes, so a study moves between systems too). */
export function portableState(state: RunState, out: string): RunState {
  return mapPaths(state, (p) => {
    const r = path.relative(out, p);
    return path.isAbsolute(r) ? p : r.split(path.sep).join('/'); // another drive: no relative path exists
  });
}

/** The in-memory form of a state read from out/state.json: absolute paths (old files' absolute ones unchanged). */
export function locatedState(state: RunState, out: string): RunState {
  return mapPaths(state, (p) => path.resolve(out, p));
}

/** Reads out/state.json (a resumable optimize state), with its paths made absolute. */
export function readRunState(out: string): RunState {
  const file = runFiles(out).state;
  let s: RunState;
  try {
    s = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SerNativeError('ERR_DATA', `cannot read ${file}: ${(e as Error).message}; it is not a resumable optimize state`, { cause: e });
  }
  if (s?.kind !== 'ser-native/optimize-run' || s.version !== 1) throw new SerNativeError('ERR_DATA', `${file} is not a version 1 ser-native optimize state`);
  return locatedState(s, out);
}

/** Refuses a run saved in another version of the search space: its checkpoint's points mean other configurations. */
export function checkSpaceVersion(state: RunState, out: string): void {
  const saved = state.spaceVersion ?? 1;
  if (saved === SER_SPACE_VERSION) return;
  const file = runFiles(out).state;
  throw is.invalidArgument(
    `${file} was saved by a search over space version ${saved}, and this ser-native searches space version ${SER_SPACE_VERSION} ` +
      `(docs/optimize.md#search-space-versions): the run cannot continue. Finish it with the ser-native version that started it, ` +
      `or start a new run in another out folder from its best configurations: --warm-start ${runFiles(out).evaluations}`,
  );
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
    state = readRunState(out);
    checkSpaceVersion(state, out);
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
    state = { kind: 'ser-native/optimize-run', version: 1, spaceVersion: SER_SPACE_VERSION, settings: resolveSettings(input), search: null, baseline: null, final: null };
    if (study !== null) state.study = study;
  }
  return { state, resumed, save: () => writeJsonAtomic(file, portableState(state, out)) };
}
