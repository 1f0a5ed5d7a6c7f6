/**
 * The built-in demo corpus: synthetic emotional speech in RAVDESS layout
 * (`<dir>/Actor_NN/03-01-EE-II-SS-RR-NN.wav`, 16-bit mono WAV), deterministic for a given seed, so
 * the whole pipeline can be exercised and demonstrated without downloading a real corpus.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeWav } from '../audio/wav';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { DEMO_EMOTIONS, DemoEmotion, emotionCode, Intensity } from './profiles';
import { synthesizeUtterance } from './synth';
import { UtteranceSpec, utteranceParams } from './voice';

export interface DemoCorpusOptions {
  /** Number of actors (1..n) or an explicit list of actor numbers (default 8). */
  actors?: number | number[];
  /** Emotions to include (default all 8). */
  emotions?: DemoEmotion[];
  /** Statements per emotion, 1 or 2 (default 2). */
  statements?: number;
  /** Repetitions of each statement (default 2). */
  repetitions?: number;
  /** Intensities (default [1, 2]; neutral only ever has 1, as in RAVDESS). */
  intensities?: Intensity[];
  /** Typical clip length in seconds (default 2.5). */
  seconds?: number;
  /** Generator seed (default 1). */
  seed?: number;
  /** Sample rate of the files (default 16000). */
  sampleRate?: number;
}

export interface ResolvedDemoOptions {
  actors: number[];
  emotions: DemoEmotion[];
  statements: number;
  repetitions: number;
  intensities: Intensity[];
  seconds: number;
  seed: number;
  sampleRate: number;
}

export interface DemoCorpus {
  dir: string;
  /** Absolute paths of the WAV files, sorted. */
  files: string[];
  /** Total duration of the audio, seconds. */
  seconds: number;
}

/** Bump when the synthesiser changes its output, so caches of an older version are not reused. */
export const DEMO_CORPUS_VERSION = 1;
export const MANIFEST_NAME = 'demo-corpus.json';

interface Manifest {
  version: number;
  options: ResolvedDemoOptions;
  files: string[];
  seconds: number;
}

export function resolveDemoOptions(options: DemoCorpusOptions = {}): ResolvedDemoOptions {
  const actors =
    options.actors === undefined ? range(1, 8) : typeof options.actors === 'number' ? range(1, options.actors) : [...options.actors];
  if (actors.length === 0) throw is.invalidArgument('demo corpus: at least one actor is needed', 'range');
  for (const a of actors) if (!Number.isInteger(a) || a < 1 || a > 99) throw is.invalidArgument(`demo corpus: actor numbers must be integers in 1..99, got ${a}`, 'range');
  const emotions = options.emotions ? [...options.emotions] : [...DEMO_EMOTIONS];
  if (emotions.length === 0) throw is.invalidArgument('demo corpus: at least one emotion is needed', 'range');
  emotions.forEach(emotionCode); // throws on unknown names
  const statements = options.statements ?? 2;
  if (statements !== 1 && statements !== 2) throw is.invalidArgument(`demo corpus: statements must be 1 or 2, got ${statements}`, 'range');
  const repetitions = options.repetitions ?? 2;
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 99) throw is.invalidArgument(`demo corpus: repetitions must be an integer in 1..99, got ${repetitions}`, 'range');
  const intensities = options.intensities ? [...options.intensities] : ([1, 2] as Intensity[]);
  if (intensities.length === 0 || intensities.some((i) => i !== 1 && i !== 2)) throw is.invalidArgument(`demo corpus: intensities must be a non-empty subset of [1, 2], got ${JSON.stringify(options.intensities)}`, 'range');
  const seconds = options.seconds ?? 2.5;
  if (!(seconds >= 0.5 && seconds <= 30)) throw is.invalidArgument(`demo corpus: seconds must be in [0.5, 30], got ${seconds}`, 'range');
  const seed = options.seed ?? 1;
  if (!Number.isFinite(seed)) throw is.invalidArgument(`demo corpus: seed must be a finite number, got ${seed}`, 'range');
  const sampleRate = options.sampleRate ?? 16000;
  if (!Number.isInteger(sampleRate) || sampleRate < 11025 || sampleRate > 192000) throw is.invalidArgument(`demo corpus: sampleRate must be an integer in [11025, 192000], got ${sampleRate}`, 'range');
  return {
    actors: [...new Set(actors)].sort((a, b) => a - b),
    emotions: DEMO_EMOTIONS.filter((e) => emotions.includes(e)),
    statements,
    repetitions,
    intensities: [...new Set(intensities)].sort() as Intensity[],
    seconds,
    seed,
    sampleRate,
  };
}

function range(lo: number, hi: number): number[] {
  if (!Number.isInteger(hi) || hi < lo) throw is.invalidArgument(`demo corpus: actor count must be an integer >= 1, got ${hi}`, 'range');
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** RAVDESS-style path of a clip relative to the corpus folder. */
export function demoFilePath(spec: UtteranceSpec): string {
  const name = `03-01-${pad2(emotionCode(spec.emotion))}-${pad2(spec.intensity)}-${pad2(spec.statement)}-${pad2(spec.repetition)}-${pad2(spec.actor)}.wav`;
  return path.join(`Actor_${pad2(spec.actor)}`, name);
}

/** Every clip of a corpus, in file-name order per actor. */
export function planDemoCorpus(options: DemoCorpusOptions = {}): UtteranceSpec[] {
  const o = resolveDemoOptions(options);
  const specs: UtteranceSpec[] = [];
  for (const actor of o.actors) {
    for (const emotion of o.emotions) {
      for (const intensity of o.intensities) {
        if (emotion === 'neutral' && intensity === 2) continue;
        for (let statement = 1; statement <= o.statements; statement++) {
          for (let repetition = 1; repetition <= o.repetitions; repetition++) {
            specs.push({ actor, emotion, intensity, statement: statement as 1 | 2, repetition });
          }
        }
      }
    }
  }
  return specs;
}

/** Synthesise one clip of the corpus (same samples as the file generateDemoCorpus writes). */
export function generateDemoClip(spec: UtteranceSpec, options: DemoCorpusOptions = {}): Float32Array {
  const o = resolveDemoOptions(options);
  return synthesizeUtterance(utteranceParams(o.seed, spec), { sampleRate: o.sampleRate, clipSeconds: o.seconds });
}

/** Write the corpus into `outDir` (created if needed; existing files of the same names are replaced). */
export function generateDemoCorpus(outDir: string, options: DemoCorpusOptions = {}): DemoCorpus {
  const o = resolveDemoOptions(options);
  const dir = path.resolve(outDir);
  const specs = planDemoCorpus(o);
  const rel: string[] = [];
  let samples = 0;
  for (const actor of o.actors) fs.mkdirSync(path.join(dir, `Actor_${pad2(actor)}`), { recursive: true });
  for (const spec of specs) {
    const audio = synthesizeUtterance(utteranceParams(o.seed, spec), { sampleRate: o.sampleRate, clipSeconds: o.seconds });
    const file = demoFilePath(spec);
    writeWav(path.join(dir, file), audio, o.sampleRate);
    rel.push(file);
    samples += audio.length;
  }
  rel.sort();
  const seconds = samples / o.sampleRate;
  const manifest: Manifest = { version: DEMO_CORPUS_VERSION, options: o, files: rel.map((f) => f.split(path.sep).join('/')), seconds };
  fs.writeFileSync(path.join(dir, MANIFEST_NAME), JSON.stringify(manifest, null, 1) + '\n');
  return { dir, files: rel.map((f) => path.join(dir, f)), seconds };
}

/** `${SER_NATIVE_HOME:-~/.cache/ser-native}/demo-v1`. */
export function defaultDemoDir(): string {
  const home = process.env.SER_NATIVE_HOME || path.join(os.homedir(), '.cache', 'ser-native');
  return path.join(home, `demo-v${DEMO_CORPUS_VERSION}`);
}

function readManifest(dir: string): Manifest | null {
  const file = path.join(dir, MANIFEST_NAME);
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (err) {
    throw new SerNativeError('ERR_DATA', `${file}: demo corpus manifest is unreadable (${(err as Error).message}); delete ${dir} to regenerate it`);
  }
}

/** Reuse the corpus in `dir` if it is complete and was made with the same options. */
function reuse(dir: string, o: ResolvedDemoOptions): DemoCorpus | null {
  // A missing or empty folder is free to generate into.
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) return null;
  const m = readManifest(dir);
  if (!m) {
    throw new SerNativeError('ERR_DATA', `${dir}: folder exists but holds no ${MANIFEST_NAME}, so it is not a demo corpus; delete it or choose another folder`);
  }
  if (m.version !== DEMO_CORPUS_VERSION || JSON.stringify(m.options) !== JSON.stringify(o)) {
    throw new SerNativeError(
      'ERR_DATA',
      `${dir}: holds a demo corpus made with other settings (version ${m.version}, ${JSON.stringify(m.options)}); ` +
        `delete it or choose another folder for ${JSON.stringify(o)}`,
    );
  }
  const files = m.files.map((f) => path.join(dir, ...f.split('/')));
  const missing = files.find((f) => !fs.existsSync(f));
  if (missing) throw new SerNativeError('ERR_DATA', `${dir}: demo corpus is incomplete (${missing} is missing); delete the folder to regenerate it`);
  return { dir, files, seconds: m.seconds };
}

/** Temp folders of interrupted generations older than this are removed. */
const STALE_MS = 60 * 60 * 1000;

/**
 * The demo corpus in `dir` (default defaultDemoDir()), generated on first use. Generation writes to
 * a sibling temp folder that is renamed into place only when complete, so an interrupted run never
 * leaves a folder that looks finished, and concurrent callers end up sharing one result.
 */
export function ensureDemoCorpus(dir: string = defaultDemoDir(), options: DemoCorpusOptions = {}): DemoCorpus & { reused: boolean } {
  const target = path.resolve(dir);
  const o = resolveDemoOptions(options);
  const existing = reuse(target, o);
  if (existing) return { ...existing, reused: true };

  const parent = path.dirname(target);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (err) {
    throw new SerNativeError('ERR_IO', `${parent}: cannot create the folder of the demo corpus (${(err as Error).message}); set SER_NATIVE_HOME to a writable folder`, { cause: err });
  }
  const prefix = `${path.basename(target)}.tmp-`;
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const stale = path.join(parent, name);
    try {
      if (Date.now() - fs.statSync(stale).mtimeMs > STALE_MS) fs.rmSync(stale, { recursive: true, force: true });
    } catch {
      // Another process may be removing it at the same time; nothing to do.
    }
  }
  const tmp = path.join(parent, `${prefix}${process.pid}-${Date.now().toString(36)}`);
  try {
    generateDemoCorpus(tmp, o);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  try {
    // Not every platform lets rename() replace an empty folder, so remove it first.
    if (fs.existsSync(target) && fs.readdirSync(target).length === 0) fs.rmdirSync(target);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Someone else finished first: use theirs (it must match, or reuse() explains why not).
    const theirs = reuse(target, o);
    if (theirs) return { ...theirs, reused: true };
    throw new SerNativeError('ERR_IO', `${target}: cannot move the generated demo corpus into place (${(err as Error).message})`, { cause: err });
  }
  const done = reuse(target, o);
  if (!done) throw new SerNativeError('ERR_DATA', `${target}: demo corpus vanished right after generation (another process removed it?)`);
  return { ...done, reused: false };
}
