// Loads the native addon (sharp's lib/sharp, ORT's binding.ts): finds the binary with
// node-gyp-build, finds the LibTorch it was built against, preloads LibTorch's libraries, then
// requires the addon. The typed `Native` interface is the whole native surface: the rest of lib/
// calls the addon only through `native()`.
//
// Why preload: a prebuilt binary cannot carry the path of a LibTorch that is installed later (in
// the per-user cache, or python3's site-packages). Loading libc10/libtorch_cpu/libtorch first,
// with RTLD_GLOBAL | RTLD_NODELETE, lets the dynamic linker satisfy the addon's DT_NEEDED entries
// by soname from the already-loaded copies, with no RPATH and no LD_LIBRARY_PATH.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SerNativeError } from './errors';
import * as is from './is';

/* eslint-disable @typescript-eslint/no-var-requires */
const nodeGypBuild: { resolve(dir: string): string } = require('node-gyp-build');

export interface NativeInfo {
  torchVersion: string;
  builtWithCuda: boolean;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  cudaDevices: string[];
  cudnnAvailable: boolean;
  cudnnVersion: number;
  numThreads: number;
  numInteropThreads: number;
  buildType: string;
  parallelInfo: string;
  /** Reuse of LibTorch's large CPU blocks (native/block_cache.h); off with SER_NATIVE_MALLOC=system. */
  blockCache: BlockCacheStats;
}

export interface BlockCacheStats {
  enabled: boolean;
  /** Requests of 1 MiB or more served from idle blocks, and those that went to the C allocator. */
  hits: number;
  misses: number;
  /** Freed blocks kept for reuse now (at most 768 MiB). */
  idleBytes: number;
  idleBlocks: number;
}

/** Log-mel options as the kernel reads them (native/mel_bindings.cc); lib/features/options.ts completes them. */
export interface NativeMelOptions {
  sampleRate: number;
  nFft: number;
  winLength: number;
  hopLength: number;
  center: boolean;
  padMode: string;
  power: number;
  nMels: number;
  fMin: number;
  fMax: number;
  melScale: string;
  norm: string | null;
  amin: number;
  topDb: number | null;
  ref: number;
}

/** The model as native/model_binding.cc builds it (lib/model/config.ts Architecture + sizes). */
export interface NativeModelConfig {
  nMels: number;
  nClasses: number;
  channels: readonly number[];
  poolFreq: readonly number[];
  poolTime: readonly number[];
  convDropout: number;
  activation: string;
  lstmHidden: number;
  lstmLayers: number;
  bidirectional: boolean;
  lstmDropout: number;
  headDropout: number;
  pooling: string;
}

export interface NativeOptimizerOptions {
  lr: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  clipNorm: number;
  labelSmoothing: number;
  /** One weight per class, or null for none. */
  classWeights: Float32Array | null;
}

export interface EpochRequest {
  batchSize: number;
  seed: number;
  freqMasks: number;
  freqMaskWidth: number;
  timeMasks: number;
  timeMaskWidth: number;
  mixupAlpha: number;
  /** Knowledge distillation: the share α in [0, 1] of the loss on the teacher's probabilities (TrainingFeatures.teacher); 0 or absent = labels only. */
  teacherWeight?: number;
  /** Forward and loss under bfloat16 autocast on the CPU (TrainConfig.precision 'bfloat16'); weights and optimizer stay float32. */
  bf16?: boolean;
}

export interface EpochStats {
  loss: number;
  accuracy: number;
  batches: number;
  samples: number;
  cancelled: boolean;
  /** Wall seconds of the epoch's phases on the worker thread (native/trainer.h EpochTimings). */
  seconds: { batch: number; specAugment: number; forward: number; backward: number; step: number; progress: number; noise: number; noisyLogMel: number; crops: number };
  /** LibTorch's intra-op threads as seen by the worker thread that ran the epoch. */
  intraOpThreads: number;
}

/** One epoch's plan for the native pipeline (made by lib/train/plan.ts): one entry per planned clip. */
export interface EpochPlanArrays {
  /** Entries in training order. */
  order: Int32Array;
  item: Int32Array;
  /** NaN = clean. */
  snrDb: Float32Array;
  noiseSeed: Uint32Array;
  start: Int32Array;
  timeScale: Float64Array;
  freqScale: Float64Array;
  /** Per entry, freqMasks (start, width) pairs then timeMasks pairs; width 0 = none. */
  masks: Int32Array;
  freqMasks: number;
  timeMasks: number;
  /** Per entry, 1 = normalise with its speaker's statistics (TrainingFeatures.speakerStats); absent = every entry by its own. */
  bySpeaker?: Uint8Array;
  /** Batches the producer may prepare ahead of training (default 3). */
  prefetch?: number;
}

export interface BatchProgress {
  batch: number;
  batches: number;
  loss: number;
}

export interface TensorState {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** An instance of the addon's NativeModel class: one CNN+LSTM and its optimizer on one device. */
export interface RawNativeModel {
  configureOptimizer(options: NativeOptimizerOptions): void;
  setLearningRate(lr: number): void;
  setNormalization(mean: Float32Array, std: Float32Array): void;
  /** One epoch on the libuv pool; features are row-major [n, nMels, frames]. */
  trainEpoch(features: Float32Array, labels: Int32Array, n: number, frames: number, options: EpochRequest, onProgress?: (p: BatchProgress) => void): Promise<EpochStats>;
  /** Hands the training clips over once (native/epoch_pipeline.h TrainingSet): their frame counts and the clean features' per-mel statistics. */
  setTrainingData(clips: Float32Array[], labels: Int32Array, mel: NativeMelOptions, features: TrainingFeatures): { frames: Int32Array; mean: Float32Array; std: Float32Array };
  /** One epoch of the planned data (lib/train/plan.ts), batches made by a native producer thread while the previous ones train. */
  trainPlannedEpoch(plan: EpochPlanArrays, options: EpochRequest, onProgress?: (p: BatchProgress) => void): Promise<EpochStats>;
  /** The producer's model inputs [entries, nMels, windowFrames] for some plan entries (what a batch holds; for tests). */
  planInputs(plan: EpochPlanArrays, entries: Int32Array): Float32Array;
  /** Softmax probabilities, row-major [n, nClasses]. */
  predict(features: Float32Array, n: number, frames: number): Float32Array;
  predictAsync(features: Float32Array, n: number, frames: number): Promise<Float32Array>;
  getState(): TensorState[];
  setState(state: TensorState[]): void;
  snapshot(): void;
  restore(): boolean;
  /** Stops a running epoch between batches (it resolves with cancelled: true). */
  cancel(): void;
  describe(): { device: string; parameters: number; precision: InferencePrecision };
  /** The precision predict() runs in (native/inference_net.h); 'float32' unless set. */
  setInferencePrecision(precision: InferencePrecision): void;
}

/** What prediction computes in: float32, or bfloat16 copies of the weights (faster on CPUs with bf16 instructions). */
export type InferencePrecision = 'float32' | 'bfloat16';

/**
 * Everything the addon exports (native/addon.cc), and nothing else. Failures are thrown as the
 * classes handed over by `initialize`: SerNativeError with a code, or TypeError (ERR_ARGUMENT).
 */
export interface Native {
  initialize(classes: { SerNativeError: typeof SerNativeError; TypeError: TypeErrorConstructor }): void;
  info(): NativeInfo;
  setNumThreads(n: number): void;
  /** Predictions of at most this many windows run on one intra-op thread (0: off); returns the previous value. */
  setSerialForwardWindows(windows: number): number;
  /** Batch producer threads of the native epoch pipeline alive now (0 between epochs). */
  liveProducerThreads(): number;
  /** The native pipeline's seeded white noise added to a clip at exactly snrDb (a silent clip is returned unchanged). */
  whiteNoise(clip: Float32Array, snrDb: number, seed: number): Float32Array;
  checkDevice(device: string): string;
  /** Frees the block cache's idle blocks and trims glibc's heaps; returns the bytes the cache held. */
  releaseMemory(): number;
  /** Raises a real c10::Error (for tests of the error path). */
  raiseTorchError(): number;
  logMel(signals: Float32Array[], options: NativeMelOptions, device: string): { nMels: number; frames: number[]; data: Float32Array[] };
  melFilterbank(options: NativeMelOptions): Float32Array;
  polyphaseResample(input: Float32Array, kernel: Float32Array, offsets: Int32Array, orig: number, nw: number): Float32Array;
  NativeModel: new (config: NativeModelConfig, device: string, seed: number) => RawNativeModel;
  /** Per-frame voice activity (native/vad.cc); lib/audio/vad.ts completes the options and smooths the mask. */
  voiceActivity(samples: Float32Array, sampleRate: number, options: NativeVadOptions): NativeVadFrames;
  /**
   * Clips at the model's rate → log-mel, utterance normalisation, evaluation windows, the members'
   * averaged softmax, and (mean) the per-clip mean, in one call (native/pipeline.cc); async runs it
   * on the libuv pool.
   */
  predictClips(members: RawNativeModel[], clips: Float32Array[], options: NativeClipOptions, async: false): NativeClipResult;
  predictClips(members: RawNativeModel[], clips: Float32Array[], options: NativeClipOptions, async: true): Promise<NativeClipResult>;
}

/** How setTrainingData turns the clips into model inputs (native/epoch_pipeline.h TrainingFeatureOptions). */
export interface TrainingFeatures {
  utteranceNorm: boolean;
  utteranceStd?: boolean;
  /** [clips·2·nMels]: each clip's speaker's per-mel mean then std (lib/model/speaker-stats.ts), for plan entries with bySpeaker. */
  speakerStats?: Float32Array;
  /** Σ frames: each clip's log-mel frames (clip padded to padSamples) back to back, 1 = speech; own statistics use those frames only. */
  speechMasks?: Uint8Array;
  /** [clips·nClasses]: a teacher's probabilities for each clip (rows sum to 1), the soft targets of EpochRequest.teacherWeight (lib/train/teacher.ts). */
  teacher?: Float32Array;
  windowFrames: number;
  padSamples: number;
}

export interface NativeClipOptions {
  logMel: NativeMelOptions;
  utteranceNorm: boolean;
  utteranceStd?: boolean;
  /** [clips·2·nMels]: statistics that replace a clip's own (a NaN row: the clip's own); lib/model/speaker-stats.ts packStats. */
  stats?: Float32Array;
  windowFrames: number;
  hopFrames: number;
  /** Clips are zero-padded to at least this many samples (one window). */
  padSamples: number;
  /** Per-clip mean over windows ([clips, classes]) or one row per window ([windows, classes]). */
  mean: boolean;
}

export interface NativeClipResult {
  probabilities: Float32Array;
  /** Start frame and clip of each window. */
  starts: Int32Array;
  owner: Int32Array;
}

/** The per-frame speech measures' settings (native/vad.cc); lib/audio/vad.ts adds the smoothing ones. */
export interface NativeVadOptions {
  /** Analysis frame and hop, seconds (default 25 ms / 10 ms). */
  frameSeconds: number;
  hopSeconds: number;
  /** A speech frame is louder than this absolute level, dBFS (default −70: quiet recordings of soft speech peak near −55). */
  minDb: number;
  /** ... and than the clip's noise floor (10th-percentile frame energy) plus this margin, dB (default 9). */
  marginDb: number;
  /** ... and its spectral flatness over lowHz..highHz is below this (default 0.35; white noise ≈ 0.56). */
  maxFlatness: number;
  lowHz: number;
  highHz: number;
  floorQuantile: number;
}

export interface NativeVadFrames {
  energyDb: Float32Array;
  flatness: Float32Array;
  /** 1 where the frame is speech before smoothing. */
  speech: Uint8Array;
  noiseFloorDb: number;
  frameSamples: number;
  hopSamples: number;
}


export interface LibTorchLocation {
  root: string;
  libDir: string;
  version: string | null;
  cuda: boolean;
  source: string;
}

export interface LoadedBinding {
  native: Native;
  binaryPath: string;
  provenance: 'prebuilt' | 'local build';
  libtorch: LibTorchLocation;
}

/** The package root (holding package.json), from dist/lib or lib/ alike. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'ser-native') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new SerNativeError('ERR_NO_BINARY', `ser-native: cannot find the package root above ${__dirname} (the installation is incomplete: reinstall ser-native)`);
    dir = up;
  }
}

interface LibTorchScripts {
  PINNED_VERSION: string;
  serNativeHome(): string;
  describe(root: string, source: string): LibTorchLocation | null;
  locateForRuntime(wanted: string | null): { found: LibTorchLocation | null; rejected: LibTorchLocation[] };
  preloadList(d: LibTorchLocation): string[];
}
interface SetupScripts {
  setup(options: { cuda?: boolean; log?: (line: string) => void }): { target: string; version: string; bytes: number | null; seconds: number };
}

export function libtorchScripts(): LibTorchScripts {
  return require(path.join(packageRoot(), 'scripts', 'libtorch.js'));
}
export function setupScripts(): SetupScripts {
  return require(path.join(packageRoot(), 'scripts', 'setup.js'));
}

let loaded: LoadedBinding | undefined;

/** Loads (once) and returns the addon with where it and its LibTorch came from. */
export function binding(): LoadedBinding {
  if (!loaded) loaded = load();
  return loaded;
}

export function native(): Native {
  return binding().native;
}

function load(): LoadedBinding {
  const root = packageRoot();
  let binaryPath: string;
  try {
    binaryPath = nodeGypBuild.resolve(root);
  } catch (e) {
    throw new SerNativeError(
      'ERR_NO_BINARY',
      `ser-native has no native addon for ${process.platform}-${process.arch} (no prebuilds/${process.platform}-${process.arch}/ and no build/Release/). ` +
        `Build it from source with \`npm rebuild ser-native\` (needs cmake, a C++17 compiler and python3), or in a clone: npm run build:native.`,
      { cause: e },
    );
  }
  const provenance = binaryPath.includes(`${path.sep}prebuilds${path.sep}`) ? 'prebuilt' : 'local build';
  const record = readRecord(path.join(path.dirname(binaryPath), 'libtorch.json'));
  const libtorch = findLibTorch(record, binaryPath);
  preload(libtorch);
  let nativeModule: Native;
  try {
    nativeModule = require(binaryPath);
  } catch (e) {
    throw new SerNativeError(
      'ERR_NO_BINARY',
      `ser-native could not load ${binaryPath} with LibTorch ${libtorch.version} from ${libtorch.libDir}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  // From here on, the addon throws this package's classes with codes set in C++.
  nativeModule.initialize({ SerNativeError, TypeError });
  applyThreadSetting(nativeModule);
  return { native: nativeModule, binaryPath, provenance, libtorch };
}

function readRecord(file: string): { version: string | null; cuda?: boolean; root?: string; libDir?: string } {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { version: null };
  }
}

function findLibTorch(record: { version: string | null; root?: string }, binaryPath: string): LibTorchLocation {
  const scripts = libtorchScripts();
  const wanted = record.version;
  // A local build knows the exact LibTorch it was linked with; use it while it is still there.
  if (record.root) {
    const d = scripts.describe(record.root, 'the LibTorch this build was compiled against');
    if (d && d.version === wanted) return d;
  }
  let { found, rejected } = scripts.locateForRuntime(wanted);
  if (found) return found;
  if (rejected.length > 0 && process.env.LIBTORCH) {
    throw versionMismatch(wanted, rejected, binaryPath);
  }
  if (process.env.SER_NATIVE_NO_AUTO_SETUP === '1') {
    if (rejected.length > 0) throw versionMismatch(wanted, rejected, binaryPath);
    throw new SerNativeError(
      'ERR_LIBTORCH_NOT_FOUND',
      `ser-native needs LibTorch ${wanted} and found none (looked at LIBTORCH, ${scripts.serNativeHome()}, python3's torch, the system), ` +
        'and SER_NATIVE_NO_AUTO_SETUP=1 turns off the automatic install. Run `npx ser-native setup` to install it, ' +
        'or set LIBTORCH to an unpacked LibTorch of that version.',
    );
  }
  const home = scripts.serNativeHome();
  process.stderr.write(
    `ser-native: first use: installing LibTorch ${wanted} (CPU, ~750 MB on disk) into ${home} with python3 -m pip. ` +
      'This happens once. Set SER_NATIVE_NO_AUTO_SETUP=1 to turn it off, SER_NATIVE_HOME to put it elsewhere.\n',
  );
  try {
    setupScripts().setup({ log: (line) => process.stderr.write(`ser-native: ${line}\n`) });
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new SerNativeError('ERR_LIBTORCH_NOT_FOUND', err.message, { cause: e });
  }
  ({ found, rejected } = scripts.locateForRuntime(wanted));
  if (!found) throw versionMismatch(wanted, rejected, binaryPath);
  return found;
}

function versionMismatch(wanted: string | null, rejected: LibTorchLocation[], binaryPath: string): SerNativeError {
  const seen = rejected.map((d) => `LibTorch ${d.version} at ${d.root} (${d.source})`).join('; ');
  return new SerNativeError(
    'ERR_LIBTORCH_VERSION',
    `ser-native's binary ${binaryPath} needs LibTorch ${wanted}, but found only ${seen || 'none'}. Fix it in one of two ways: ` +
      `run \`npx ser-native setup\` to install LibTorch ${wanted} into ${libtorchScripts().serNativeHome()}, ` +
      'or build the addon from source against your LibTorch (LIBTORCH=/path/to/libtorch npm rebuild ser-native).',
  );
}

const RTLD_NODELETE = 0x1000; // glibc: keep the library mapped after Node's dlclose()

function preload(libtorch: LibTorchLocation): void {
  // OpenMP threads that spin while waiting for work take whole cores from everything else and, on a
  // busy machine, from each other: a 2-thread forward then takes 5× longer than with 1 (bench:predict).
  // Sleeping waiters cost a few µs per parallel region. Read by libgomp when it loads, so set first;
  // a value the user set wins.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = 'PASSIVE';
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | (process.platform === 'linux' ? RTLD_NODELETE : 0);
  for (const lib of libtorchScripts().preloadList(libtorch)) {
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, lib, flags);
    } catch (e) {
      // Not an addon, so Node complains after loading it; anything else is a real failure.
      const message = (e as Error).message;
      if (!/did not self-register/.test(message)) {
        throw new SerNativeError('ERR_LIBTORCH_NOT_FOUND', `ser-native could not load ${lib}: ${message}`, { cause: e });
      }
    }
  }
}

/** SER_NATIVE_THREADS fixes LibTorch's intra-op threads (worker processes use it to avoid oversubscription). */
function applyThreadSetting(nativeModule: Native): void {
  const env = process.env.SER_NATIVE_THREADS;
  if (!env) return;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw is.invalidParameterError('SER_NATIVE_THREADS', 'positive integer', env);
  nativeModule.setNumThreads(n);
}
