// Fuzz harness: seeded WAV mutants (bench/fuzz/mutate.ts) from real and synthetic seeds, driven
// through every entry point that takes untrusted audio, in one process.
//
//   npm run fuzz -- --n 10000 --seed 7 [--targets predict-buffer,logMel] [--limit-ms 1000] [--max-seconds 10] [--model DIR] [--json]
//
// Reports results and errors by code per target, the slowest input, RSS every 1,000 inputs (as it
// is, and after a full GC and releaseMemory() hand garbage and the allocators' cached blocks back). Exits 1 on an uncoded
// error (no string `code`), an input slower than --limit-ms, or growth over 10% after the first
// 1,000 inputs of the RSS that releaseMemory() cannot give back (live memory: a leak, not a cache);
// a crash (abort, segfault) ends the process with its signal.
// Targets are pluggable: add one to TARGETS (name, run(bytes, ctx)).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { readWav } from '../lib/audio/wav';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { releaseMemory } from '../lib/info';
import { percent } from '../lib/metrics/percent';
import { logMel } from '../lib/features/logmel';
import { saveBundle } from '../lib/model/bundle';
import { resolveTrainConfig } from '../lib/model/config';
import { EmotionModel, loadModel } from '../lib/model/model';
import { NativeModel } from '../lib/model/native-model';
import { mutant, syntheticSeeds } from './fuzz/mutate';
import { EmotionStream } from '../lib/stream';
import { createServer } from '../lib/serve/server';

type Server = Awaited<ReturnType<typeof createServer>>;

export interface FuzzContext {
  model: EmotionModel;
  /** A scratch file path targets may write the mutant to. */
  file: string;
  /** The HTTP service, built on first use (requests are injected, no socket). */
  server?: Server;
  maxSeconds: number;
}

/** A coded error for a refused request; a 5xx (the service failed) stays uncoded so the run fails. */
function httpOutcome(status: number, body: string): void {
  if (status < 400) return;
  let code: unknown;
  try {
    code = JSON.parse(body)?.error?.code ?? JSON.parse(body)?.code;
  } catch {
    code = undefined;
  }
  const e = new Error(`HTTP ${status}: ${body.slice(0, 200)}`);
  if (status < 500 && typeof code === 'string') Object.assign(e, { code: `HTTP_${status}_${code}` });
  throw e;
}

export interface FuzzTarget {
  name: string;
  /** Once before the run; a failure here ends the run (it is not an input's error). */
  setup?(ctx: FuzzContext): Promise<void>;
  run(bytes: Buffer, ctx: FuzzContext): unknown;
}

export const TARGETS: FuzzTarget[] = [
  { name: 'predict-buffer', run: (b, c) => c.model.predict(b) },
  {
    name: 'predict-path',
    run: (b, c) => {
      fs.writeFileSync(c.file, b);
      return c.model.predict(c.file);
    },
  },
  { name: 'predictAsync-buffer', run: (b, c) => c.model.predictAsync(b) },
  {
    name: 'logMel',
    run: (b) => {
      const w = readWav(b, { name: '<fuzz>' });
      return logMel(w.samples.subarray(0, 10 * w.sampleRate), { sampleRate: w.sampleRate });
    },
  },
  {
    name: 'stream',
    run: async (b, c) => {
      const w = readWav(b, { name: '<fuzz>' });
      const s = new EmotionStream(c.model, {});
      const chunk = Math.max(1, Math.round(w.sampleRate / 10));
      const end = Math.min(w.samples.length, c.maxSeconds * w.sampleRate);
      for (let i = 0; i < end; i += chunk) s.push(w.samples.subarray(i, i + chunk), w.sampleRate);
      await s.end();
    },
  },
  {
    name: 'serve-predict',
    setup: async (c) => {
      c.server = await createServer({ model: c.model });
    },
    run: async (b, c) => {
      const r = await c.server!.inject({ method: 'POST', url: '/v1/predict', payload: b, headers: { 'content-type': 'audio/wav' } });
      httpOutcome(r.statusCode, r.body);
    },
  },
];

export interface FuzzOptions {
  n: number;
  seed: number;
  targets?: string[];
  limitMs?: number;
  /**
   * Longest audio predict/predictAsync/serve accept during the run (SER_NATIVE_MAX_SECONDS), and what
   * the stream target pushes, seconds (default 10): a mutant declaring 1 kHz over a 48 kHz file is
   * minutes of audio, legitimately slow to score; the limit is the contract that keeps inputs bounded.
   */
  maxSeconds?: number;
  /** Bundle to load; default an untrained small network (what is fuzzed is input handling, not accuracy). */
  model?: string;
  /** Real seed WAVs (default: up to 6 files from ../shared/data when present). */
  seedFiles?: string[];
  onProgress?: (line: string) => void;
}

export interface FuzzReport {
  n: number;
  seed: number;
  seeds: { real: number; synthetic: number };
  perTarget: Record<string, { ok: number; errors: Record<string, number> }>;
  uncoded: { target: string; index: number; notes: string[]; message: string }[];
  slow: { target: string; index: number; notes: string[]; ms: number }[];
  slowest: { target: string; index: number; notes: string[]; ms: number } | null;
  /** mb: RSS as it is; liveMb: right after a full GC and releaseMemory() (what garbage and the allocators' caches do not explain). */
  rss: { inputs: number; mb: number; liveMb: number }[];
  /** Growth of liveMb after the first 1,000 inputs (the pass/fail figure); heldGrowth: of mb. */
  rssGrowth: number | null;
  heldGrowth: number | null;
  seconds: number;
  failed: boolean;
}

function defaultSeedFiles(): string[] {
  const data = path.resolve(__dirname, '..', '..', 'shared', 'data');
  const roots = [path.join(data, 'ravdess'), path.join(data, 'savee'), path.resolve(__dirname, '..', '..', '..', 'shared', 'data')];
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (found.length >= 6 || depth > 3 || !fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= 6) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name.toLowerCase().endsWith('.wav')) found.push(p);
    }
  };
  for (const r of roots) if (found.length < 3) walk(r, 0);
  return [...new Set(found)];
}

function tinyBundle(dir: string): string {
  const c = resolveTrainConfig({ features: { clipSeconds: 1, windowHopSeconds: 0.5 }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 } });
  const labels = ['neutral', 'happy', 'sad', 'angry'];
  const state = new NativeModel(c.architecture, c.features.logMel.nMels, labels.length, 'cpu', 1).getState();
  saveBundle(dir, { labels, features: c.features, architecture: c.architecture, versions: { package: 'fuzz', libtorch: 'fuzz' } }, state);
  return dir;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const limitMs = o.limitMs ?? 1000;
  const targets = o.targets ? o.targets.map((t) => TARGETS.find((x) => x.name === t) ?? (() => { throw new Error(`unknown fuzz target '${t}' (known: ${TARGETS.map((x) => x.name).join(', ')})`); })()) : TARGETS;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-fuzz-'));
  const maxSeconds = o.maxSeconds ?? 10;
  const savedMax = process.env.SER_NATIVE_MAX_SECONDS;
  process.env.SER_NATIVE_MAX_SECONDS = String(maxSeconds);
  try {
    const model = loadModel(o.model ?? tinyBundle(path.join(tmp, 'model')));
    const real = (o.seedFiles ?? defaultSeedFiles()).map((f) => fs.readFileSync(f));
    const seeds = [...real, ...syntheticSeeds()];
    const ctx: FuzzContext = { model, file: path.join(tmp, 'mutant.wav'), maxSeconds };
    const report: FuzzReport = { n: o.n, seed: o.seed, seeds: { real: real.length, synthetic: seeds.length - real.length }, perTarget: {}, uncoded: [], slow: [], slowest: null, rss: [], rssGrowth: null, heldGrowth: null, seconds: 0, failed: false };
    for (const t of targets) report.perTarget[t.name] = { ok: 0, errors: {} };
    for (const t of targets) await t.setup?.(ctx);
    for (let i = 0; i < o.n; i++) {
      const m = mutant(seeds, o.seed, i);
      for (const t of targets) {
        const t0 = process.hrtime.bigint();
        try {
          await t.run(Buffer.from(m.bytes), ctx);
          report.perTarget[t.name].ok++;
        } catch (e) {
          const code = (e as { code?: unknown })?.code;
          const key = (e as { reason?: unknown })?.reason ?? code; // a WavError's reason (NOT_WAV, ...) is finer than its ERR_DATA
          if (typeof code === 'string') report.perTarget[t.name].errors[String(key)] = (report.perTarget[t.name].errors[String(key)] ?? 0) + 1;
          else report.uncoded.push({ target: t.name, index: i, notes: m.notes, message: String((e as Error)?.message ?? e).slice(0, 300) });
        }
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!report.slowest || ms > report.slowest.ms) report.slowest = { target: t.name, index: i, notes: m.notes, ms };
        if (ms > limitMs) report.slow.push({ target: t.name, index: i, notes: m.notes, ms });
      }
      if ((i + 1) % 1000 === 0 || i + 1 === o.n) {
        const mb = process.memoryUsage().rss / 1e6;
        collectGarbage();
        releaseMemory();
        const liveMb = process.memoryUsage().rss / 1e6;
        report.rss.push({ inputs: i + 1, mb, liveMb });
        o.onProgress?.(`fuzz: ${i + 1}/${o.n} inputs, rss ${mb.toFixed(0)} MB (${liveMb.toFixed(0)} MB after GC + releaseMemory), ${report.uncoded.length} uncoded, ${report.slow.length} slow, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    const base = report.rss.find((r) => r.inputs === 1000);
    const last = report.rss[report.rss.length - 1];
    report.rssGrowth = base && last.inputs > 1000 ? (last.liveMb - base.liveMb) / base.liveMb : null;
    report.heldGrowth = base && last.inputs > 1000 ? (last.mb - base.mb) / base.mb : null;
    report.seconds = (Date.now() - started) / 1000;
    await ctx.server?.close();
    report.failed = report.uncoded.length > 0 || report.slow.length > 0 || (report.rssGrowth !== null && report.rssGrowth > 0.1);
    return report;
  } finally {
    if (savedMax === undefined) delete process.env.SER_NATIVE_MAX_SECONDS;
    else process.env.SER_NATIVE_MAX_SECONDS = savedMax;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// A full V8 collection before measuring live memory: garbage ArrayBuffers hold native memory until
// they are collected. (--expose-gc set at run time, once; the benches need no node flag.)
let gc: (() => void) | null = null;
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

function summary(r: FuzzReport): string {
  const lines = [`fuzz: ${r.n} mutants x ${Object.keys(r.perTarget).length} targets, seed ${r.seed}, seeds ${r.seeds.real} real + ${r.seeds.synthetic} synthetic, ${r.seconds.toFixed(0)} s`];
  for (const [t, s] of Object.entries(r.perTarget)) lines.push(`  ${t}: ${s.ok} ok; errors ${Object.entries(s.errors).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  lines.push(`  uncoded errors: ${r.uncoded.length}${r.uncoded[0] ? ` (first: ${r.uncoded[0].target} #${r.uncoded[0].index} [${r.uncoded[0].notes.join(' ')}]: ${r.uncoded[0].message})` : ''}`);
  if (r.slowest) lines.push(`  slowest: ${r.slowest.ms.toFixed(0)} ms (${r.slowest.target} #${r.slowest.index} [${r.slowest.notes.join(' ')}]); over the limit: ${r.slow.length}`);
  lines.push(`  rss: ${r.rss.map((x) => `${x.inputs}: ${x.mb.toFixed(0)} MB`).join(', ')}${r.heldGrowth === null ? '' : `; growth after 1,000: ${percent(r.heldGrowth)}`}`);
  lines.push(`  rss after GC + releaseMemory(): ${r.rss.map((x) => `${x.inputs}: ${x.liveMb.toFixed(0)} MB`).join(', ')}${r.rssGrowth === null ? '' : `; growth after 1,000: ${percent(r.rssGrowth)} (limit 10%)`}`);
  lines.push(r.failed ? 'FAILED' : 'ok: no crash, no uncoded error, no slow input, memory flat');
  return lines.join('\n');
}

if (require.main === module) {
  const a = yargs(hideBin(process.argv))
    .usage(`$0 [options]\n\nSeeded WAV mutants through every entry point that takes untrusted audio (targets: ${TARGETS.map((t) => t.name).join(', ')}).`)
    .option('n', { type: 'number', default: 1000, describe: 'mutants (each one through every target)' })
    .option('seed', { type: 'number', default: 7, describe: 'mutation seed' })
    .option('targets', { type: 'string', describe: `comma-separated targets (default all: ${TARGETS.map((t) => t.name).join(',')})` })
    .option('limit-ms', { type: 'number', default: 1000, describe: 'an input slower than this fails the run' })
    .option('max-seconds', { type: 'number', default: 10, describe: 'longest audio the targets accept (SER_NATIVE_MAX_SECONDS)' })
    .option('model', { type: 'string', describe: 'model bundle folder (default: a small untrained one)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
    .check((x) => {
      if (!Number.isInteger(x.n) || x.n < 1 || !Number.isInteger(x.seed)) throw new Error('--n must be a positive integer and --seed an integer');
      return true;
    })
    .strict()
    .help()
    .parseSync();
  runFuzz({ n: a.n, seed: a.seed, targets: a.targets?.split(','), limitMs: a['limit-ms'], maxSeconds: a['max-seconds'], model: a.model, onProgress: (l) => process.stderr.write(l + '\n') })
    .then((r) => {
      process.stdout.write((a.json ? JSON.stringify(r, null, 2) : summary(r)) + '\n');
      process.exitCode = r.failed ? 1 : 0;
    })
    .catch((e: unknown) => {
      process.stderr.write(`fuzz: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    });
}
