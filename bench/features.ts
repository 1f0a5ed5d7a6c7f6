// Log-mel throughput: ser-native's kernel against librosa and PyTorch doing the same work in the
// same run, in audio seconds processed per wall-clock second.
//
//   npm run bench:features [-- --seconds 2 --threads 2 --json --no-python]
//
// Work: batches of 1 and 32 clips of 4 s at 16 kHz, 'default' and 'torchaudio' presets, on CPU
// with a fixed number of intra-op threads (and CUDA when the addon has a usable GPU). Each case is
// warmed up, then repeated for --seconds; the median call time is reported. Python's cases run
// right after ours in one long-lived bench/features_python.py, so load drift on a shared machine
// hits both alike. It runs with the `python3` on PATH (or $PYTHON) and its PYTHONPATH, so librosa
// and torch may live in any folder: PYTHONPATH=/opt/pybench npm run bench:features.
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { packageRoot } from '../lib/binding';
import { logMel } from '../lib/features/logmel';
import { LogMelOptions, LogMelPreset, PRESETS } from '../lib/features/options';
import { setNumThreads } from '../lib/device';
import { info } from '../lib/info';

const CLIP_SECONDS = 4;
const SAMPLE_RATE = 16000;
const BATCHES = [1, 32];
const PRESET_NAMES: LogMelPreset[] = ['default', 'torchaudio'];
const WARMUP = 2;
const MIN_REPS = 3;

interface Case {
  impl: 'ser-native' | 'librosa' | 'torch';
  device: string;
  preset: LogMelPreset;
  batch: number;
  medianSeconds: number;
  reps: number;
}

interface PythonHello {
  versions: Record<string, string>;
  missing: Record<string, string>;
}

/** Deterministic speech-like clips: a gliding harmonic series plus a little noise (LCG). */
function makeClips(count: number): Float32Array {
  const n = CLIP_SECONDS * SAMPLE_RATE;
  const out = new Float32Array(count * n);
  let seed = 12345;
  for (let c = 0; c < count; c++) {
    let phase = 0;
    for (let i = 0; i < n; i++) {
      const t = i / SAMPLE_RATE;
      const f0 = 110 + 15 * c + 40 * Math.sin(2 * Math.PI * 0.7 * t);
      phase += (2 * Math.PI * f0) / SAMPLE_RATE;
      let v = 0;
      for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
      seed = (seed * 1103515245 + 12345) >>> 0;
      out[c * n + i] = 0.1 * v + 0.01 * (seed / 2 ** 32 - 0.5);
    }
  }
  return out;
}

/** Median wall time of fn() after warm-up, repeated for `seconds` (same rule as the Python side). */
function measure(fn: () => void, seconds: number): { medianSeconds: number; reps: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const times: number[] = [];
  const start = process.hrtime.bigint();
  while (times.length < MIN_REPS || Number(process.hrtime.bigint() - start) / 1e9 < seconds) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { medianSeconds: times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2, reps: times.length };
}

/** bench/features_python.py as a line-protocol server: one JSON request, one JSON answer. */
class Python {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private stderr = '';

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts the script; resolves to an error string when python or its reply is missing. */
  static async start(job: { threads: number }): Promise<{ python: Python; hello: PythonHello } | { error: string }> {
    const exe = process.env.PYTHON || 'python3';
    const script = path.join(packageRoot(), 'bench', 'features_python.py');
    const t = String(job.threads);
    const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, NUMBA_NUM_THREADS: t };
    const child = spawn(exe, [script], { env });
    const spawned = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (spawned) return { error: `cannot run ${exe} (${spawned.message}); set PYTHON to a python3 with librosa and torch` };
    const python = new Python(child);
    try {
      return { python, hello: (await python.request(job)) as unknown as PythonHello };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  async request(message: object): Promise<Record<string, unknown>> {
    this.child.stdin.write(JSON.stringify(message) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error(`bench/features_python.py stopped: ${this.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  }

  close(): void {
    this.child.stdin.end();
  }
}

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Largest |a − b| over the cells of `b` within its top 80 dB (below that, floors differ by design). */
function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return NaN;
  let max = -Infinity;
  for (const v of b) max = Math.max(max, v);
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (b[i] > max - 80) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function main(): Promise<void> {
  const args = await yargs(hideBin(process.argv))
    .usage('$0 [options]\n\nLog-mel throughput of ser-native vs librosa and PyTorch (same run, same clips).')
    .option('seconds', { type: 'number', default: 2, describe: 'Timed repetition per case, after warm-up' })
    .option('threads', { type: 'number', default: 2, describe: 'Intra-op threads for LibTorch, PyTorch and BLAS' })
    .option('python', { type: 'boolean', default: true, describe: 'Also run bench/features_python.py (--no-python skips it)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object instead of the table' })
    .strict()
    .help()
    .parseAsync();
  if (!(args.seconds > 0) || !Number.isInteger(args.threads) || args.threads < 1) throw new Error('--seconds must be > 0 and --threads a positive integer');

  setNumThreads(args.threads);
  const env = info();
  const devices = ['cpu', ...(env.cuda.available ? ['cuda'] : [])];
  const clipSamples = CLIP_SECONDS * SAMPLE_RATE;
  const maxBatch = Math.max(...BATCHES);
  const all = makeClips(maxBatch);
  const clip = (i: number) => all.subarray(i * clipSamples, (i + 1) * clipSamples);
  const log = (s: string) => void (args.json ? null : process.stderr.write(s));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-'));
  const cases: Case[] = [];
  const diffs: Record<string, number> = {};
  let hello: PythonHello | null = null;
  let pythonError: string | null = args.python ? null : 'python comparison skipped (--no-python)';
  let python: Python | null = null;
  try {
    if (args.python) {
      // The clips go to Python through a file: the same samples for every implementation.
      const signals = path.join(dir, 'clips.f32');
      fs.writeFileSync(signals, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
      log('starting python (librosa, torch) ...\n');
      const started = await Python.start({ threads: args.threads, seconds: args.seconds, warmup: WARMUP, minReps: MIN_REPS, signals, clipSamples } as { threads: number });
      if ('error' in started) pythonError = `python comparison not run: ${started.error}`;
      else [python, hello] = [started.python, started.hello];
    }
    const pyImpls = (['librosa', 'torch'] as const).filter((impl) => hello && !(impl in hello.missing));
    for (const preset of PRESET_NAMES) {
      const o = PRESETS[preset];
      for (const batch of BATCHES) {
        const signals = Array.from({ length: batch }, (_, i) => clip(i));
        for (const device of devices) {
          log(`ser-native ${preset} ${device} batch ${batch} ...\n`);
          cases.push({ impl: 'ser-native', device, preset, batch, ...measure(() => logMel(signals, { ...o, device: device as 'cpu' }), args.seconds) });
        }
        for (const impl of pyImpls) {
          log(`${impl} ${preset} cpu batch ${batch} ...\n`);
          const save = batch === BATCHES[0] ? path.join(dir, `${impl}-${preset}.f32`) : null;
          const r = (await python!.request({ impl, batch, options: o, save })) as { medianSeconds: number; reps: number };
          cases.push({ impl, device: 'cpu', preset, batch, medianSeconds: r.medianSeconds, reps: r.reps });
          // Same work check: clip 0 from Python against ours.
          if (save) diffs[`${impl}/${preset}`] = maxDiff(logMel(clip(0), o).data, readF32(save));
        }
      }
    }
  } finally {
    python?.close(); // its stdin closing ends the script
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const rate = (c: Case) => (c.batch * CLIP_SECONDS) / c.medianSeconds;
  const find = (impl: Case['impl'], preset: string, batch: number, device = 'cpu') => cases.find((c) => c.impl === impl && c.preset === preset && c.batch === batch && c.device === device);
  const rows = cases
    .filter((c) => c.impl === 'ser-native')
    .map((c) => {
      const lib = c.device === 'cpu' ? find('librosa', c.preset, c.batch) : undefined;
      const pt = c.device === 'cpu' ? find('torch', c.preset, c.batch) : undefined;
      return {
        preset: c.preset,
        device: c.device,
        batch: c.batch,
        serNative: rate(c),
        reps: c.reps,
        librosa: lib ? rate(lib) : null,
        vsLibrosa: lib ? rate(c) / rate(lib) : null,
        torch: pt ? rate(pt) : null,
        vsTorch: pt ? rate(c) / rate(pt) : null,
      };
    });

  const missingNote =
    pythonError ??
    (hello && Object.keys(hello.missing).length
      ? `python: not importable: ${Object.entries(hello.missing).map(([k, v]) => `${k} (${v})`).join(', ')}; install them into a folder and put it on PYTHONPATH: ` +
        'python3 -m pip install --target DIR librosa torch numpy scipy soundfile, then PYTHONPATH=DIR npm run bench:features'
      : null);

  if (args.json) {
    process.stdout.write(
      JSON.stringify(
        { clipSeconds: CLIP_SECONDS, sampleRate: SAMPLE_RATE, threads: args.threads, seconds: args.seconds, libtorch: env.libtorch.version, python: hello ? hello.versions : null, maxAbsDiffDb: diffs, rows, note: missingNote },
        null,
        2,
      ) + '\n',
    );
    return;
  }

  const py = hello?.versions ?? {};
  const f = (v: number | null, d = 0) => (v === null ? '-' : v.toFixed(d));
  process.stdout.write(
    `\nLog-mel throughput, audio seconds per wall second (higher is better): ${CLIP_SECONDS} s clips at ${SAMPLE_RATE / 1000} kHz, ` +
      `${args.threads} intra-op threads, median of >= ${args.seconds} s per case after ${WARMUP} warm-up calls.\n` +
      `ser-native on LibTorch ${env.libtorch.version}` +
      (py.librosa || py.torch ? `; Python ${py.python}${py.librosa ? `, librosa ${py.librosa}` : ''}${py.torch ? `, torch ${py.torch}` : ''}, numpy ${py.numpy}` : '') +
      '\n\n',
  );
  const header = ['preset', 'device', 'batch', 'ser-native', 'librosa', 'x librosa', 'torch (py)', 'x torch'];
  const table = rows.map((r) => [r.preset, r.device, String(r.batch), f(r.serNative), f(r.librosa), r.vsLibrosa === null ? '-' : `${f(r.vsLibrosa, 1)}x`, f(r.torch), r.vsTorch === null ? '-' : `${f(r.vsTorch, 2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n';
  process.stdout.write(line(header) + line(widths.map((w) => '-'.repeat(w))) + table.map(line).join(''));
  if (Object.keys(diffs).length) {
    process.stdout.write(`\nSame work: largest |ser-native − python| over the top 80 dB of clip 0: ${Object.entries(diffs).map(([k, v]) => `${k} ${v.toFixed(4)} dB`).join(', ')}\n`);
  }
  if (missingNote) process.stdout.write(`\n${missingNote}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/features: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
