// `ser-native optimize`: hyper-parameter search (SFS-WOA by default) over the SER training recipe, evaluations in
// worker processes, resumable, then the best configuration retrained into out/best. With --queue the evaluations
// are BullMQ jobs on Redis, run by `ser-native worker` on any number of machines.
import * as fs from 'fs';
import type { Argv } from 'yargs';
import { SerNativeError } from '../../lib/errors';
import { ALGORITHMS, type Algorithm } from '../../lib/hpo/optimizer';
import type { DeepPartial, TrainConfig } from '../../lib/model/config';
import type { OptimizeResult } from '../../lib/optimize/run';
import type { BestSoFar, OptimizeProgress } from '../../lib/optimize/types';
import { duration } from '../../lib/report/format';
import { percent } from '../../lib/metrics/percent';
import { meta, type Command } from '../command-meta';
import { DEMO_NOTE } from '../../lib/demo/note';
import { checkDevice, dataFlagNames, dataOptionsFrom, DataArgs, deviceOption, noDataOptions, withDataOptions } from '../data-options';
import { EXIT, errorLine, UsageError } from '../errors';
import { bar, nextPredictLine, progressSink, type ProgressSink } from '../progress';

interface Args extends DataArgs {
  algorithm?: Algorithm;
  population?: number;
  iterations?: number;
  maxEvals?: number;
  rungs?: number;
  eta?: number;
  epochBudget?: number;
  folds?: number;
  warmStart?: string;
  race?: boolean;
  raceSeeds?: string;
  recheckSeeds?: number;
  workers?: number;
  epochsPerEval?: number;
  finalEpochs?: number;
  config?: string;
  out: string;
  resume: boolean;
  baseline?: boolean;
  seed?: number;
  device: string;
  json: boolean;
  queue?: string;
  study?: string;
  dataRoot?: string;
  evalTimeout?: number;
  iterationTimeout?: number;
}

const pct = (v: number | null | undefined) => percent(v, { missing: '-' });
const bestText = (b: BestSoFar | null) => (b ? `best UAR ${pct(b.uar)} (#${b.index})` : 'no successful evaluation yet');
const etaText = (s: number | null) => (s === null ? '' : `, ETA ${duration(s)}`);

function show(p: ProgressSink, e: OptimizeProgress): void {
  switch (e.phase) {
    case 'data':
      p.line(e.message);
      break;
    case 'start': {
      const where = e.queue ? `through the queue ${e.queue}` : e.workers === 0 ? `in this process` : `${e.workers} worker(s) × ${e.threads} thread(s)`;
      const name = e.search === 'baseline' ? 'baseline (random search)' : e.algorithm;
      p.line(`${name}: ${e.planned} evaluations planned${e.done ? `, ${e.done} done before` : ''}, ${where}`);
      break;
    }
    case 'evaluation': {
      const r = e.record;
      if (r.status === 'failed') p.line(`evaluation #${r.index} failed (worker ${r.worker}): ${r.error}`);
      p.status(`${e.search} ${bar(e.done / Math.max(1, e.planned))} ${e.done}/${e.planned} evaluations, ${bestText(e.best)}${etaText(e.etaSeconds)}`);
      break;
    }
    case 'iteration':
      p.line(`${e.search === 'baseline' ? 'baseline ' : ''}iteration ${e.iteration + 1}${e.iterations ? `/${e.iterations}` : ''}: ${e.done}/${e.planned} evaluations, ${e.epochs} epochs, ${bestText(e.best)}${etaText(e.etaSeconds)}`);
      break;
    case 'final': {
      const t = e.progress;
      if (t.phase === 'batch') p.status(`final training epoch ${t.epoch}/${t.epochs} ${bar(t.batch / t.batches)} loss ${t.loss.toFixed(3)}`);
      else if (t.phase === 'epoch') p.line(`final training epoch ${t.record.epoch}/${e.epochs}: val UAR ${pct(t.record.valUar)}${t.best ? ' *' : ''}`);
      break;
    }
    case 'note':
      p.line(e.message);
      break;
    case 'evaluation-start':
      break;
  }
}

export function summarize(r: OptimizeResult): string {
  const b = r.best;
  const lines = [
    ...(noDataOptions(r.settings.data) ? [`data: ${DEMO_NOTE}; its scores say the search works, not how well real speech is recognised`] : []),
    `${r.settings.algorithm}: ${r.evaluations} evaluations (${r.failed} failed, ${r.epochs} training epochs) in ${r.iterations} iterations, ${duration(r.seconds)}`,
    `best: #${b.index} fitness ${b.fitness?.toFixed(4)} (${r.settings.folds ? `mean UAR over ${r.settings.folds} folds` : 'validation UAR'} ${pct(b.metrics?.uar)} after ${r.settings.epochsPerEval} epoch(s))`,
    `  ${Object.entries(b.config).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v}`).join(' ')}`,
  ];
  if (r.recipe) lines.push(`starting recipe (#${r.recipe.index}): UAR ${pct(r.recipe.metrics?.uar)} after ${r.recipe.epochs ?? r.settings.epochsPerEval} epoch(s)`);
  const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  if (r.race) {
    const inc = r.race.incumbent;
    lines.push(`race: the answer is the incumbent #${inc.index} (${inc.since > 0 || r.race.iterations.some((it) => it.winner) ? `took the lead in iteration ${inc.since}` : 'the starting recipe, never beaten'}), ${sign(-100 * inc.level)} UAR points over the starting recipe on the search's own seeds`);
  }
  if (r.recheck) {
    const g = r.recheck.gainPoints;
    lines.push(`recheck on fresh seeds ${r.recheck.seeds.join(', ')}${r.recheck.folds ? ` × ${r.recheck.folds.length} fresh folds` : ''}: best − recipe ${sign(g.mean)} UAR points, 90 % interval [${sign(g.low)}, ${sign(g.high)}] over ${g.n} paired trainings (quote this, not the search's own fitness)`);
  } else lines.push('no recheck (--recheck-seeds 0): the search\'s own fitness above is optimistic for its best');
  if (r.baseline) lines.push(`random-search baseline: best UAR ${pct(r.baseline.best?.metrics?.uar)} in ${r.baseline.evaluations} evaluations (${r.baseline.epochs} epochs)`);
  const m = r.final.metrics;
  lines.push(`retrained ${r.final.epochs} epochs: ${m ? `validation UAR ${pct(m.uar)}, accuracy ${pct(m.accuracy)}, macro-F1 ${pct(m.macroF1)}` : 'no validation score'}`);
  if (r.queue) {
    const q = r.queue;
    lines.push(`queue ${q.address}, study ${q.study}: ${q.added} job(s) added, ${q.found} found queued, ${q.reused} result(s) reused; worker slots: ${q.workers.join(', ') || 'none seen'}`);
  }
  lines.push(`wrote ${r.files.model}/, ${r.files.report}, ${r.files.evaluations}, ${r.files.result}`);
  lines.push(nextPredictLine(r.files.model));
  return lines.join('\n');
}

export const optimizeCommand: Command<Args> = {
  ...meta('optimize'),
  builder: (y: Argv<object>) =>
    withDataOptions(y)
      .option('algorithm', { type: 'string', choices: ALGORITHMS, describe: 'Optimizer (default sfs-woa; tpe = Tree-structured Parzen Estimator)' })
      .option('population', { type: 'number', describe: 'Candidates per iteration (default 8; 4 on the demo corpus)' })
      .option('iterations', { type: 'number', describe: 'Iterations, the initial population included (default 6; 2 on the demo corpus; derived from --max-evals when only that is given)' })
      .option('max-evals', { type: 'number', describe: 'Evaluation budget, never exceeded' })
      .option('workers', { type: 'number', describe: 'Worker processes (default max(1, cores/2), or one per GPU; 0 = in this process)' })
      .option('epochs-per-eval', { type: 'number', describe: 'Training epochs per evaluation, the top rung with --rungs (default 8; 2 on the demo corpus)' })
      .option('rungs', { type: 'number', describe: 'Successive halving: every candidate first trains epochs-per-eval / eta^(rungs-1) epochs, the best 1/eta go on to eta times more, up to --epochs-per-eval (default 1: no halving)' })
      .option('eta', { type: 'number', describe: 'With --rungs: reduction factor between rungs (default 3)' })
      .option('epoch-budget', { type: 'number', describe: 'Budget of the search in training epochs (all rungs and folds), never exceeded; may be raised on --resume' })
      .option('folds', { type: 'number', describe: 'Fitness = mean validation UAR over K speaker-grouped folds of the tuning speakers (the split\'s train + validation), the same folds for every candidate' })
      .option('warm-start', { type: 'string', describe: 'evaluations.jsonl of an earlier run: its best configurations are evaluated first (after the starting recipe), mapped into this run\'s search space' })
      .option('race', { type: 'boolean', describe: 'Noise-aware search: every candidate of a rung trains on the same seeds and folds as the incumbent, fitness = the paired difference; candidates worse by more than 2 standard errors drop out, the rest get more seeds; a re-proposed configuration is answered from a cache (docs/optimize.md)' })
      .option('race-seeds', { type: 'string', describe: 'With --race: seeds measured by the end of each rung, cumulative, comma-separated (default 1,2,4; with --rungs R, one entry per rung); each seed covers every fold' })
      .option('recheck-seeds', { type: 'number', describe: 'At the end, train the best and the starting recipe on this many fresh seeds (× fresh folds with --folds) and print the paired gain with a 90 % interval (default: 2 with --race, else 0 = no recheck)' })
      .option('final-epochs', { type: 'number', describe: 'Epochs of the final training of the best configuration (default 60, as the recipe; 8 on the demo corpus)' })
      .option('config', { type: 'string', describe: 'JSON file of recipe overrides fixed for every evaluation (not the searched keys; a recipe lever it sets, e.g. architecture.pooling or features.clipSeconds, is not searched)' })
      .option('out', { type: 'string', default: 'ser-optimize', describe: 'Folder for state.json, evaluations.jsonl, best/model, report.html, result.json' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue the run saved in --out (after a kill or Ctrl-C); the options that define it (data, --config, --algorithm, --population, --iterations, --seed, --epochs-per-eval, --rungs, --eta, --folds, --warm-start, --race, --race-seeds) come from the saved run; --max-evals, --epoch-budget, --final-epochs, --baseline and --recheck-seeds may change' })
      .option('baseline', { type: 'boolean', describe: 'Also run random search on the same budget, for the report' })
      .option('seed', { type: 'number', describe: 'Seed of the optimizer and of every evaluation (default 1)' })
      .option('device', deviceOption)
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON result object at the end and nothing else on stdout' })
      .option('queue', { type: 'string', describe: 'Coordinate: evaluations become jobs on this Redis (redis://HOST:PORT[/DB]), run by `ser-native worker` anywhere' })
      .option('study', { type: 'string', describe: 'With --queue: the study name (job ids, Redis keys); rerunning the same command continues the study' })
      .option('data-root', { type: 'string', describe: 'With --queue: data paths are sent relative to this folder (default: the current directory); workers map them to their --data-root' })
      .option('eval-timeout', { type: 'number', describe: 'With --queue: wall-clock limit of one evaluation on a worker, seconds (default 7200); its process is killed past it' })
      .option('iteration-timeout', { type: 'number', describe: 'With --queue: evaluations of an iteration without a result after this many seconds fail (default 21600)' })
      .example('$0 optimize', 'A small search on the built-in demo corpus')
      .example('$0 optimize --ravdess data/ravdess --max-evals 100 --baseline --out runs/hpo', 'Search on RAVDESS, compared with random search')
      .example('$0 optimize --out runs/hpo --resume', 'Continue an interrupted search')
      .example('$0 optimize --queue redis://10.0.0.5:6379 --study s1 --ravdess data/ravdess --data-root data', 'Coordinate a study run by `ser-native worker` processes on other machines')
      .epilog(
        'Searched: learning rate, weight decay, conv/LSTM/head dropout, LSTM hidden size, conv width (× channels), batch size, ' +
          'noise probability and SNR range. Fitness: 1 − validation UAR on a speaker-independent split after --epochs-per-eval epochs.',
      ) as unknown as Argv<Args>,
  flagNames: (a) => ({
    ...dataFlagNames,
    ...(a.config ? { 'fixed.*': `$ in --config ${a.config}`, fixed: `--config ${a.config}` } : {}),
    algorithm: '--algorithm',
    population: '--population',
    iterations: '--iterations',
    maxEvals: '--max-evals',
    workers: '--workers',
    epochsPerEval: '--epochs-per-eval',
    finalEpochs: '--final-epochs',
    seed: '--seed',
    rungs: '--rungs',
    eta: '--eta',
    epochBudget: '--epoch-budget',
    folds: '--folds',
    warmStart: '--warm-start',
    race: '--race',
    raceSeeds: '--race-seeds',
    recheckSeeds: '--recheck-seeds',
    'queue.url': '--queue',
    'queue.study': '--study',
    'queue.dataRoot': '--data-root',
    'queue.evalTimeoutSeconds': '--eval-timeout',
    'queue.iterationTimeoutSeconds': '--iteration-timeout',
  }),
  handler: async (a) => {
    checkDevice(a.device);
    let fixed: DeepPartial<TrainConfig> | undefined;
    if (a.config) {
      try {
        fixed = JSON.parse(fs.readFileSync(a.config, 'utf8'));
      } catch (e) {
        throw new UsageError(`cannot read --config ${a.config}: ${(e as Error).message}`);
      }
    }
    if (a.study !== undefined && a.queue === undefined) throw new UsageError('--study names a queue study: give --queue redis://HOST:PORT too');
    if (a.queue !== undefined && a.study === undefined) throw new UsageError('--queue needs --study NAME (rerunning with the same name continues that study)');
    for (const k of ['dataRoot', 'evalTimeout', 'iterationTimeout'] as const) {
      if (a[k] !== undefined && a.queue === undefined) throw new UsageError(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to --queue mode only`);
    }
    const data = dataOptionsFrom(a);
    // On --resume the saved data options apply; the default --split is not a request to change them.
    if (a.resume && data.split === 'default' && !a.ravdess && !a.savee && !a.data && !a.labelMap) delete data.split;
    const { optimize } = await import('../../lib/optimize/run');
    const p = progressSink(true); // progress goes to stderr, so it never mixes with --json on stdout
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      p.line(a.queue ? 'stopping (queued jobs stay on the workers); run the same command again to continue the study' : 'stopping the running evaluations (Ctrl-C again to quit at once); continue later with --resume');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const r = await optimize({
        ...data,
        algorithm: a.algorithm,
        population: a.population,
        iterations: a.iterations,
        maxEvals: a.maxEvals,
        rungs: a.rungs,
        eta: a.eta,
        epochBudget: a.epochBudget,
        folds: a.folds,
        warmStart: a.warmStart,
        race: a.race,
        raceSeeds: a.raceSeeds === undefined ? undefined : a.raceSeeds.split(',').map((v) => (v.trim() === '' ? NaN : Number(v))),
        recheckSeeds: a.recheckSeeds,
        workers: a.workers,
        epochsPerEval: a.epochsPerEval,
        finalEpochs: a.finalEpochs,
        fixed,
        out: a.out,
        resume: a.resume,
        baseline: a.baseline,
        seed: a.seed,
        device: a.device as never,
        signal: controller.signal,
        onProgress: (e) => show(p, e),
        ...(a.queue ? { queue: { url: a.queue, study: a.study as string, dataRoot: a.dataRoot, evalTimeoutSeconds: a.evalTimeout, iterationTimeoutSeconds: a.iterationTimeout } } : {}),
      });
      p.done();
      process.stdout.write((a.json ? JSON.stringify(r, null, 2) : summarize(r)) + '\n');
    } catch (e) {
      p.done();
      if (e instanceof SerNativeError && e.code === 'ERR_CANCELLED') {
        process.stderr.write(`${errorLine('optimize', e)}\n`);
        process.exitCode = EXIT.interrupted;
        return;
      }
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
