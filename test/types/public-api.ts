// The package's public surface, pinned: compiled with `tsc --noEmit -p test/types` by
// test/unit/public-api.test.ts. Adding or removing a root export, or a typo'd option compiling, fails it.
import * as ser from '../../lib';
import {
  train, evaluate, loadModel, predict, optimize, logMel, melFilterbank, info, setNumThreads, resolveDevice, minimize, resumeMinimize,
  readWav, writeWav, resample, detectSpeech, trimToSpeech, indexDataset, makeSplit, EMOTIONS, ensureDemoCorpus, defaultTrainConfig,
  SerNativeError, WavError, DatasetError, hpo, exportOnnx,
} from '../../lib';
import type {
  TrainOptions, TrainResult, TrainProgress, EpochRecord, EvaluateOptions, EvaluateResult, DataOptions, TrainConfig, Architecture,
  FeatureConfig, OptimizerConfig, ClassificationReport, ClassMetrics, Protocol, EmotionModel, Prediction, PredictOptions, Segment,
  LoadModelOptions, AudioInput, LogMel, LogMelCallOptions, LogMelOptions, LogMelPreset, WavAudio, SpeechDetection, SpeechSegment,
  VadOptions, DatasetItem, IndexResult, Split, SplitSpec, Emotion, OptimizeOptions, OptimizeResult, OptimizeProgress,
  QueueModeOptions, Objective, MinimizeOptions, MinimizeResult, MinimizeCheckpoint, Space, Algorithm, Info, Device,
  SerNativeErrorCode, TimelineOptions, ExportOnnxOptions, ExportOnnxResult,
} from '../../lib';

/** Exactly these runtime names, no more, no fewer. */
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RuntimeExports =
  | 'train' | 'evaluate' | 'loadModel' | 'predict' | 'optimize' | 'logMel' | 'melFilterbank' | 'info' | 'setNumThreads'
  | 'resolveDevice' | 'minimize' | 'resumeMinimize' | 'readWav' | 'writeWav' | 'resample' | 'detectSpeech' | 'trimToSpeech'
  | 'indexDataset' | 'makeSplit' | 'EMOTIONS' | 'ensureDemoCorpus' | 'defaultTrainConfig' | 'SerNativeError' | 'WavError'
  | 'DatasetError' | 'hpo' | 'exportOnnx' | 'EmotionStream' | 'EmotionTransform' | 'decodePcm'
  // added by the robustness, calibration, folds and default-model work:
  | 'DEFAULT_MODEL_LICENCE' | 'ROBUSTNESS_CONDITIONS' | 'applyTemperature' | 'calibrateTraining' | 'calibrationReport' | 'defaultModelDir'
  | 'defaultModelInfo' | 'evaluateRobustness' | 'fitTemperature' | 'trainFolds'
  // memory given back by a long-running service:
  | 'releaseMemory'
  // the thread policy of small forwards:
  | 'setSerialForwardWindows';
export const exactRuntimeExports: Equal<keyof typeof ser, RuntimeExports> = true;

// The entry points take their documented options and return their documented results.
export async function usage(signal: AbortSignal): Promise<void> {
  const trained: TrainResult = await train({ demo: { actors: 4 }, epochs: 1, out: 'runs/x', device: 'cpu', signal, onProgress: (p: TrainProgress) => void p });
  const record: EpochRecord | undefined = trained.history[0];
  const report: ClassificationReport | null = trained.metrics;
  const protocol: Protocol = trained.protocol;
  const scored: EvaluateResult = await evaluate({ model: 'runs/x/model', demo: { actors: 4 } } satisfies EvaluateOptions);
  const model: EmotionModel = loadModel('runs/x/model', { device: 'cpu' } satisfies LoadModelOptions);
  const p: Prediction = model.predict('clip.wav', {} satisfies PredictOptions);
  const segments: Segment[] = model.timeline('clip.wav', { hop: 0.5 } satisfies TimelineOptions);
  const once: Prediction = predict('runs/x/model', { samples: new Float32Array(16000), sampleRate: 16000 } satisfies AudioInput);
  const spec: LogMel = logMel(new Float32Array(16000), { preset: 'torchaudio' as LogMelPreset, device: 'cpu' } satisfies LogMelCallOptions);
  const fb: { data: Float32Array; nMels: number } = melFilterbank({ nMels: 40 } satisfies Partial<LogMelOptions>);
  const released: number = ser.releaseMemory();
  const i: Info = info();
  const dev: string = resolveDevice('auto' satisfies Device);
  setNumThreads(2);
  const tuned: OptimizeResult = await optimize({ demo: { actors: 4 }, maxEvals: 4, queue: { url: 'redis://127.0.0.1:6379', study: 's' } satisfies QueueModeOptions, onProgress: (e: OptimizeProgress) => void e } satisfies OptimizeOptions);
  const space = { x: { type: 'float', min: -1, max: 1 } } satisfies Space;
  const objective: Objective<typeof space> = (c) => c.x * c.x;
  const found: MinimizeResult<{ x: number }> = await minimize(objective, space, { algorithm: 'sfs-woa' satisfies Algorithm, maxEvaluations: 10 } satisfies MinimizeOptions<{ x: number }>);
  const cp: MinimizeCheckpoint | undefined = undefined;
  const wav: WavAudio = readWav('clip.wav');
  writeWav('out.wav', wav.samples, wav.sampleRate);
  const r: Float32Array | Float64Array = resample(wav.samples, wav.sampleRate, 16000);
  const speech: SpeechDetection = detectSpeech(wav.samples, wav.sampleRate, { minSpeechSeconds: 1 } satisfies Partial<VadOptions>);
  const seg: SpeechSegment | undefined = speech.segments[0];
  const trimmed: Float32Array = trimToSpeech(wav.samples, wav.sampleRate, speech);
  const indexed: IndexResult = await indexDataset(['data/ravdess']);
  const item: DatasetItem | undefined = indexed.items[0];
  const split: Split = makeSplit(indexed, { mode: 'kfold', k: 5, fold: 0 } as SplitSpec);
  const emotions: readonly Emotion[] = EMOTIONS;
  const dir: string = ensureDemoCorpus('demo').dir;
  const config: TrainConfig = defaultTrainConfig();
  const parts: [Architecture, FeatureConfig, OptimizerConfig] = [config.architecture, config.features, config.optimizer];
  const classes: ClassMetrics[] = report ? Object.values(report.perClass) : [];
  const data: DataOptions = { ravdess: 'data/ravdess' };
  const code: SerNativeErrorCode = new SerNativeError('ERR_DEVICE', 'x').code;
  const errors: Error[] = [new WavError('EMPTY', 'x.wav', 'empty'), new DatasetError('x')];
  const exported: ExportOnnxResult = exportOnnx('runs/x/model', 'model.onnx', {} satisfies ExportOnnxOptions);
  void [exported, record, scored, p, segments, once, spec, fb, i, dev, tuned, found, cp, r, seg, trimmed, item, split, emotions, dir, parts, classes, data, code, errors, resumeMinimize];

  // Optimizer building blocks live under the hpo namespace...
  const rng: hpo.Rng = new hpo.Rng(1);
  void [hpo.encode, hpo.decode, hpo.reflect, hpo.sphere, hpo.createOptimizer, rng];
  // ...and not at the root, nor do the internals of optimize().
  // @ts-expect-error internal
  void ser.encode;
  // @ts-expect-error internal
  void ser.decode;
  // @ts-expect-error internal
  void ser.reflect;
  // @ts-expect-error internal
  void ser.sphere;
  // @ts-expect-error internal
  void ser.Rng;
  // @ts-expect-error internal
  void ser.EvaluationPool;
  // @ts-expect-error internal
  void ser.runEvaluation;
  // @ts-expect-error internal
  void ser.meanProbabilities;
  // @ts-expect-error internal
  void ser.resolveLogMelOptions;

  // A misspelled option does not compile (and throws at run time: test/unit/options.test.ts).
  // @ts-expect-error epoch is not an option (epochs is)
  await train({ epoch: 5 });
  // @ts-expect-error modle
  await evaluate({ modle: 'x' });
  // @ts-expect-error maxEval
  await optimize({ maxEval: 3 });
}
