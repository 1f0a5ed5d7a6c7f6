// Screening of recipe levers as paired differences (issue 25's protocol): every lever of a plan is
// trained with the same speaker folds and the same seeds as the plan's first lever (the baseline),
// `ser-native train --folds K --split all`, one child process per run with its own LibTorch thread
// count, N runs side by side. Each finished run leaves a small result file next to the plan (the
// figures a note or the README quotes) and a journal line (command, seed, wall time, load); a run
// whose result file exists is not run again, so an interrupted screen resumes where it stopped.
//
//   npm run screen -- experiments/<name>/plan.json [--workers 2] [--only a,b] [--seeds 2,3] [--order seed|lever] [--report] [--json]
//
// plan.json: { "description", "folds", "epochs", "seeds": [1, 2], "split": "all", "threads": 1,
//              "data": { "ravdess": "../shared/data/ravdess", "savee": "../shared/data/savee" },
//              "levers": [{ "name": "baseline", "config": {} }, { "name": "...", "config": { ... }, "epochs"?: N, "args"?: [...] }] }
// Paths in the plan are relative to the repository ($HOME is expanded). Runs write under runs/screen/<name>/ (ignored).
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import yargs from 'yargs';
import { meanStd } from '../lib/metrics/summary';
import { percent } from '../lib/metrics/percent';

interface Lever {
  name: string;
  config: Record<string, unknown>;
  /** Extra `ser-native train` arguments of this lever (e.g. more data: --data M --fold-corpora ravdess,savee). */
  args?: string[];
  /** This lever's epoch count instead of the plan's (a comparison at equal wall time, e.g. a faster precision with more epochs). */
  epochs?: number;
}

interface Plan {
  description: string;
  folds: number;
  epochs: number;
  seeds: number[];
  split: string;
  threads: number;
  data: { ravdess?: string; savee?: string; data?: string[] };
  /** Extra `ser-native train` arguments of every lever. */
  args?: string[];
  levers: Lever[];
}

/** What one run leaves in experiments/<name>/results/: the figures, and how the run went. */
export interface ScreenResult {
  lever: string;
  seed: number;
  config: Record<string, unknown>;
  perFold: number[];
  pooled: number;
  perCorpus: Record<string, number>;
  /** Out-of-fold figures with each speaker's own statistics (only for recipes trained with speakerNorm). */
  adapted: { perFold: number[]; pooled: number; perCorpus: Record<string, number> } | null;
  ece: { before: number; after: number };
  bestEpochs: number[];
  command: string;
  started: string;
  wallSeconds: number;
  load: { start: number[]; end: number[] };
}

const repo = path.resolve(__dirname, '..', '..');

/** The training processes running now: a stopped screen stops them too (their runs are redone on resume). */
const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`screen: ${signal}: stopping ${running.size} run(s); finished runs are kept, the rest run again on the next start\n`);
    for (const child of running) child.kill('SIGTERM');
    process.exit(130);
  });
}
const rel = (p: string) => path.relative(repo, p);

function readPlan(file: string): Plan {
  const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as Plan;
  if (!Array.isArray(plan.levers) || plan.levers.length === 0) throw new Error(`${file}: "levers" must be a non-empty array (the first is the baseline)`);
  if (!Array.isArray(plan.seeds) || plan.seeds.length === 0) throw new Error(`${file}: "seeds" must be a non-empty array`);
  for (const l of plan.levers) {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(l.name)) throw new Error(`${file}: lever name '${l.name}' must be lower-case letters, digits, '.' and '-'`);
    if (l.epochs !== undefined && !(Number.isInteger(l.epochs) && l.epochs >= 1)) throw new Error(`${file}: lever '${l.name}': "epochs" must be a positive integer, got ${JSON.stringify(l.epochs)}`);
  }
  return plan;
}

function resultFile(planFile: string, lever: string, seed: number): string {
  return path.join(path.dirname(planFile), 'results', `${lever}-s${seed}.json`);
}

function trainArgs(plan: Plan, lever: Lever, seed: number, configFile: string, out: string): string[] {
  const data = [
    ...(plan.data.ravdess ? ['--ravdess', plan.data.ravdess] : []),
    ...(plan.data.savee ? ['--savee', plan.data.savee] : []),
    ...(plan.data.data ?? []).flatMap((d) => ['--data', d]),
  ];
  const extra = [...(plan.args ?? []), ...(lever.args ?? [])];
  return ['dist/bin/ser-native.js', 'train', ...data, '--folds', String(plan.folds), '--split', plan.split, '--epochs', String(lever.epochs ?? plan.epochs), '--seed', String(seed), '--config', configFile, '--out', out, ...extra, '--json'].map(expandHome);
}

/** $HOME in a plan's paths (data built on each machine, e.g. ~/.cache/ser-native/data/nemo). */
const expandHome = (a: string) => a.replace(/\$HOME\b/g, os.homedir());

async function runOne(planFile: string, plan: Plan, lever: Lever, seed: number): Promise<ScreenResult> {
  const name = path.basename(path.dirname(planFile));
  const out = path.join(repo, 'runs', 'screen', name, `${lever.name}-s${seed}`);
  fs.mkdirSync(out, { recursive: true });
  const configFile = path.join(out, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(lever.config, null, 2) + '\n');
  const args = trainArgs(plan, lever, seed, rel(configFile), rel(out));
  const command = `SER_NATIVE_THREADS=${plan.threads} node ${args.join(' ')}`;
  const started = new Date();
  const loadStart = os.loadavg();
  const t0 = Date.now();
  const log = fs.openSync(path.join(out, 'stderr.log'), 'w');
  const stdout: Buffer[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repo, env: { ...process.env, SER_NATIVE_THREADS: String(plan.threads) }, stdio: ['ignore', 'pipe', log] });
    running.add(child);
    child.stdout!.on('data', (b: Buffer) => stdout.push(b));
    child.on('close', (c) => {
      running.delete(child);
      resolve(c ?? 1);
    });
  });
  fs.closeSync(log);
  const wallSeconds = (Date.now() - t0) / 1000;
  const journal = { lever: lever.name, seed, command, started: started.toISOString(), wallSeconds, load: { start: loadStart, end: os.loadavg() }, exitCode: code };
  fs.appendFileSync(path.join(path.dirname(planFile), 'journal.jsonl'), JSON.stringify(journal) + '\n');
  if (code !== 0) throw new Error(`${lever.name} seed ${seed} failed (exit ${code}); see ${rel(path.join(out, 'stderr.log'))}`);
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  const s = metrics.summary;
  const result: ScreenResult = {
    lever: lever.name,
    seed,
    config: lever.config,
    perFold: s.outOfFoldUar.perFold,
    pooled: s.outOfFoldUar.pooled,
    perCorpus: s.outOfFoldPerCorpusUar,
    adapted: s.outOfFoldAdapted ?? null,
    ece: { before: s.ece.before, after: s.ece.after },
    bestEpochs: metrics.folds.map((f: { bestEpoch: number }) => f.bestEpoch),
    command,
    started: journal.started,
    wallSeconds,
    load: journal.load,
  };
  const file = resultFile(planFile, lever.name, seed);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return result;
}

/**
 * Runs every missing (lever, seed), `workers` at a time: seed-major (every lever at seed 1 first), or
 * lever-major (each lever at every seed, in the plan's order: with as many workers as seeds, a
 * lever's paired seeds finish together).
 */
async function runPlan(planFile: string, plan: Plan, workers: number, only: string[] | null, order: 'seed' | 'lever', onlySeeds: number[] | null = null): Promise<void> {
  const levers = plan.levers.filter((l) => !only || only.includes(l.name));
  const seeds = plan.seeds.filter((s) => !onlySeeds || onlySeeds.includes(s));
  const jobs = order === 'seed' ? seeds.flatMap((seed) => levers.map((lever) => ({ lever, seed }))) : levers.flatMap((lever) => seeds.map((seed) => ({ lever, seed })));
  const todo = jobs.filter((j) => !fs.existsSync(resultFile(planFile, j.lever.name, j.seed)));
  process.stderr.write(`screen: ${jobs.length - todo.length} of ${jobs.length} runs already done; ${todo.length} to run, ${workers} at a time\n`);
  let next = 0;
  let failures = 0;
  const slot = async () => {
    while (next < todo.length) {
      const { lever, seed } = todo[next++];
      process.stderr.write(`screen: start ${lever.name} seed ${seed} (${new Date().toISOString()})\n`);
      try {
        const r = await runOne(planFile, plan, lever, seed);
        process.stderr.write(`screen: done ${lever.name} seed ${seed}: per fold ${r.perFold.map(pct).join(', ')}${r.adapted ? `; adapted ${r.adapted.perFold.map(pct).join(', ')}` : ''} (${(r.wallSeconds / 60).toFixed(1)} min)\n`);
      } catch (e) {
        failures++;
        process.stderr.write(`screen: ${(e as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, slot));
  if (failures) throw new Error(`${failures} run(s) failed`);
}

const pct = (v: number) => percent(v, { unit: '' }); // percentage points: the table's headings give the unit
const pm = (v: number[]) => {
  const { mean, std } = meanStd(v);
  return `${pct(mean)} ± ${pct(std)}`;
};

export interface LeverSummary {
  lever: string;
  runs: number;
  lone: number[];
  adapted: number[] | null;
  /** Paired differences against the baseline (same seed, same fold), lone clips and, when both have them, adapted. */
  diff: number[];
  diffAdapted: number[] | null;
  kept: boolean | null;
}

/** Per lever: the per-fold UARs over the seeds both it and the baseline finished, and the paired differences. */
export function summarizeScreen(planFile: string, plan: Plan): LeverSummary[] {
  const read = (lever: string, seed: number): ScreenResult | null => {
    const f = resultFile(planFile, lever, seed);
    return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as ScreenResult) : null;
  };
  const base = plan.levers[0].name;
  return plan.levers.map((l) => {
    const lone: number[] = [];
    const adapted: number[] = [];
    const diff: number[] = [];
    const diffAdapted: number[] = [];
    let runs = 0;
    for (const seed of plan.seeds) {
      const r = read(l.name, seed);
      if (!r) continue;
      runs++;
      lone.push(...r.perFold);
      if (r.adapted) adapted.push(...r.adapted.perFold);
      const b = read(base, seed);
      if (!b || l.name === base) continue;
      r.perFold.forEach((u, i) => diff.push(u - b.perFold[i]));
      // The baseline has no adapted figure: the adapted gain is measured against its lone clips.
      if (r.adapted) r.adapted.perFold.forEach((u, i) => diffAdapted.push(u - (b.adapted ?? b).perFold[i]));
    }
    const kept = diff.length >= 2 ? meanStd(diff).mean > meanStd(diff).std : null;
    return { lever: l.name, runs, lone, adapted: adapted.length ? adapted : null, diff, diffAdapted: diffAdapted.length ? diffAdapted : null, kept };
  });
}

export function screenTable(rows: LeverSummary[], plan: Plan): string {
  const epochsOf = (name: string) => {
    const e = plan.levers.find((l) => l.name === name)?.epochs;
    return e === undefined ? '' : ` (${e} epochs)`;
  };
  const lines = [
    `${plan.description}`,
    `${plan.folds} speaker folds (--split ${plan.split}), ${plan.epochs} epochs, seeds ${plan.seeds.join(', ')}; out-of-fold UAR per fold in points, mean ± sample std over seed × fold; difference = lever − ${plan.levers[0].name}, same seed and fold`,
    '',
    '| lever | runs | lone clips | Δ lone | adapted | Δ adapted (vs baseline lone) | kept (mean Δ > std) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.lever}${epochsOf(r.lever)} | ${r.runs} | ${r.lone.length ? pm(r.lone) : '-'} | ${r.diff.length ? pm(r.diff) : '-'} | ${r.adapted ? pm(r.adapted) : '-'} | ${r.diffAdapted ? pm(r.diffAdapted) : '-'} | ${r.kept === null ? '-' : r.kept ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const a = yargs(process.argv.slice(2))
    .usage('$0 PLAN.json [--workers N] [--only a,b] [--seeds 2,3] [--order seed|lever] [--report] [--json]')
    .demandCommand(1, 1, 'give the plan file (experiments/<name>/plan.json)')
    .option('workers', { type: 'number', default: 2, describe: 'runs side by side (each with the plan\'s thread count)' })
    .option('only', { type: 'string', describe: 'comma-separated lever names to run' })
    .option('seeds', { type: 'string', describe: "comma-separated seeds to run (default: the plan's; e.g. when another run supplies a seed's result)" })
    .option('order', { choices: ['seed', 'lever'] as const, default: 'seed' as const, describe: 'seed-major (every lever at the first seed first) or lever-major' })
    .option('report', { type: 'boolean', default: false, describe: 'print the paired-difference table of the finished runs and run nothing' })
    .option('json', { type: 'boolean', default: false, describe: 'with --report: the table as JSON' })
    .strict()
    .parseSync();
  const planFile = path.resolve(String(a._[0]));
  const plan = readPlan(planFile);
  const seeds = a.seeds ? a.seeds.split(',').map(Number) : null;
  if (seeds?.some((s) => !plan.seeds.includes(s))) throw new Error(`--seeds ${a.seeds}: the plan's seeds are ${plan.seeds.join(', ')}`);
  if (!a.report) await runPlan(planFile, plan, a.workers, a.only ? a.only.split(',') : null, a.order, seeds);
  const rows = summarizeScreen(planFile, plan);
  process.stdout.write((a.json ? JSON.stringify(rows, null, 2) : screenTable(rows, plan)) + '\n');
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`screen: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
