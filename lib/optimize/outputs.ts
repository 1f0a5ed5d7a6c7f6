// What a finished run writes: report.html and result.json (the value optimize() returns).
import * as path from 'path';
import { info } from '../info';
import type { WorkerPlan } from './evaluators';
import { writeJsonAtomic, writeTextAtomic, type EvaluationRecord } from './journal';
import { optimizeReportHtml } from './report';
import type { FinalTraining, RunFiles } from './run-state';
import type { SearchOutcome } from './search';
import type { RecheckOutcome } from './recheck';
import type { RaceSummary } from './race-trajectory';
import type { RunSettings } from './settings';
import { SER_SPACE_VERSION } from './space';

export interface OptimizeResult {
  out: string;
  resumed: boolean;
  /** SER_SPACE_VERSION of the space searched (with `settings.fixed`'s levers left out: runSpace). */
  spaceVersion: number;
  settings: RunSettings;
  /** Evaluations spent by the search, and how many of them failed. */
  evaluations: number;
  failed: number;
  iterations: number;
  /** Training epochs the search spent (all rungs and folds). */
  epochs: number;
  best: EvaluationRecord;
  /** The starting recipe's evaluation (evaluation #0) at the highest rung it reached. */
  recipe: EvaluationRecord | null;
  baseline: { algorithm: 'random'; evaluations: number; epochs: number; failed: number; best: EvaluationRecord | null } | null;
  final: FinalTraining;
  /** The best and the starting recipe trained again on fresh seeds (and folds): the paired gain to quote, or null (--recheck-seeds 0). */
  recheck: RecheckOutcome | null;
  /** --race: the final incumbent and the search's iterations; null without --race. */
  race: RaceSummary | null;
  workers: WorkerPlan;
  device: string;
  files: { state: string; evaluations: string; baseline: string | null; model: string; report: string; result: string };
  seconds: number;
  versions: { package: string; libtorch: string };
  /** Queue mode only: where the evaluations ran. */
  queue?: { address: string; study: string; added: number; reused: number; found: number; workers: string[] };
}

export interface RunOutcome {
  out: string;
  files: RunFiles;
  resumed: boolean;
  settings: RunSettings;
  split: string;
  main: SearchOutcome;
  best: EvaluationRecord;
  baseline: SearchOutcome | null;
  final: FinalTraining;
  recheck: RecheckOutcome | null;
  race: RaceSummary | null;
  workers: WorkerPlan;
  queue: OptimizeResult['queue'] | null;
  device: string;
  started: number;
}

/** The starting recipe's evaluation (evaluation 0 of a run) at the highest rung it reached. */
export function recipeRecord(records: readonly EvaluationRecord[]): EvaluationRecord | null {
  const first = records.find((r) => r.index === 0);
  if (!first) return null;
  const same = records.filter((r) => r.iteration === 0 && JSON.stringify(r.config) === JSON.stringify(first.config));
  return same.reduce((a, b) => (b.index > a.index ? b : a));
}

export function writeOutputs(r: RunOutcome): OptimizeResult {
  const s = r.settings;
  const versions = { package: info().version, libtorch: info().libtorch.version };
  writeTextAtomic(
    r.files.report,
    optimizeReportHtml({
      settings: s,
      records: r.main.records,
      baseline: r.baseline?.records ?? null,
      best: r.best,
      finalMetrics: r.final.metrics,
      split: r.split,
      workers: r.workers,
      versions,
      ...(r.queue ? { queue: { address: r.queue.address, study: r.queue.study } } : {}),
      race: r.race ? { summary: r.race, iterations: r.main.iterations } : null,
      recheck: r.recheck,
      recipe: recipeRecord(r.main.records)?.config ?? null,
    }),
  );
  const failed = (rs: readonly EvaluationRecord[]) => rs.filter((x) => x.status === 'failed').length;
  const result: OptimizeResult = {
    out: r.out,
    resumed: r.resumed,
    spaceVersion: SER_SPACE_VERSION,
    settings: s,
    evaluations: r.main.evaluations,
    failed: failed(r.main.records),
    iterations: r.main.iterations,
    epochs: r.main.epochs,
    best: r.best,
    recipe: recipeRecord(r.main.records),
    baseline: r.baseline ? { algorithm: 'random', evaluations: r.baseline.evaluations, epochs: r.baseline.epochs, failed: failed(r.baseline.records), best: r.baseline.best } : null,
    final: r.final,
    recheck: r.recheck,
    race: r.race,
    workers: r.workers,
    device: r.device,
    files: { state: r.files.state, evaluations: r.files.evaluations, baseline: s.baseline ? r.files.baseline : null, model: path.join(r.files.best, 'model'), report: r.files.report, result: r.files.result },
    seconds: (Date.now() - r.started) / 1000,
    versions,
  };
  if (r.queue) result.queue = r.queue;
  writeJsonAtomic(r.files.result, result);
  return result;
}
