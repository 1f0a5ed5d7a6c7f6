// ser-native: speech emotion recognition for Node.js on LibTorch. The public API is what a user calls:
// train, evaluate, loadModel/predict, optimize, logMel, info, minimize, their options and results,
// the error classes and a few audio/data helpers. Everything else is internal (its paths may change);
// the optimizers' building blocks are under the `hpo` namespace. test/types/public-api.ts pins this list.

// The installation
export { info, releaseMemory } from './info';
export { setNumThreads, setSerialForwardWindows, resolveDevice } from './device';
export type { Info } from './info';
export type { Device } from './is';

// Errors: SerNativeError carries a `code`; bad arguments are TypeError/RangeError (code ERR_ARGUMENT).
export { SerNativeError } from './errors';
export type { SerNativeErrorCode } from './errors';
export { WavError } from './audio/wav';
export { DatasetError } from './dataset/errors';

// Training and evaluation
export { train } from './train/train';
export { trainFolds } from './train/folds';
export type { FoldsOptions, FoldsResult, FoldSummary } from './train/folds';
export { calibrateTraining } from './train/calibrate';
export type { RunCalibration } from './train/calibrate';
export { evaluateRobustness, ROBUSTNESS_CONDITIONS } from './train/robustness';
export type { RobustnessOptions, RobustnessResult, RobustnessRow, RobustnessCondition } from './train/robustness';
export { defaultModelDir, defaultModelInfo, DEFAULT_MODEL_LICENCE } from './model/default-model';
export type { DefaultModelInfo } from './model/default-model';
export type { Calibration } from './model/bundle';
export type { TrainOptions, TrainResult, TrainProgress, EpochRecord } from './train/train';
export { evaluate } from './train/evaluate';
export { applyTemperature, fitTemperature, calibrationReport } from './metrics/calibration';
export type { CalibrationReport, ReliabilityBin } from './metrics/calibration';
export type { EvaluateOptions, EvaluateResult } from './train/evaluate';
export type { DataOptions } from './train/data';
export { defaultTrainConfig } from './model/config';
export type { TrainConfig, Architecture, FeatureConfig, OptimizerConfig } from './model/config';
export type { ClassificationReport, ClassMetrics, Protocol } from './metrics';

// Prediction
export { loadModel, predict } from './model/model';
export type { EmotionModel, Prediction, PredictOptions, BatchPredictOptions, ProbabilityOptions, VoiceSession, Segment, LoadModelOptions, TimelineOptions } from './model/model';
export type { VoiceOptions } from './model/voice';
export type { InferencePrecision } from './binding';
export { exportOnnx } from './export/onnx';
export type { ExportOnnxOptions, ExportOnnxResult } from './export/onnx';
export type { AudioInput } from './audio/decode';

// Live audio: model.stream() and model.createStream() (attached to EmotionModel by lib/stream)
export { EmotionStream, EmotionTransform, decodePcm } from './stream';
export type { StreamOptions, StreamSegment, PcmChunk, CreateStreamOptions, PcmFormat } from './stream';

// Features, audio and data helpers
export { logMel, melFilterbank } from './features/logmel';
export type { LogMel, LogMelCallOptions } from './features/logmel';
export type { LogMelOptions, LogMelPreset } from './features/options';
export { readWav, writeWav } from './audio/wav';
export type { WavAudio } from './audio/wav';
export { resample } from './audio/resample';
export { detectSpeech, trimToSpeech } from './audio/vad';
export type { SpeechDetection, SpeechSegment, VadOptions } from './audio/vad';
export { indexDataset } from './dataset/index-dataset';
export { makeSplit } from './dataset/splits';
export { EMOTIONS } from './dataset/emotions';
export type { DatasetItem, IndexResult, Split, SplitSpec, Emotion } from './dataset';
export { ensureDemoCorpus } from './demo';

// Hyper-parameter search: optimize() tunes training; minimize() is the general optimizer.
export { optimize } from './optimize/run';
export type { OptimizeOptions, OptimizeResult } from './optimize/run';
export type { OptimizeProgress } from './optimize/types';
export type { QueueModeOptions } from './optimize/evaluators/queue';
export { minimize, resumeMinimize } from './hpo/minimize';
export type { Objective, MinimizeOptions, MinimizeResult, MinimizeCheckpoint } from './hpo/minimize';
export type { Space } from './hpo/space';
export type { Algorithm } from './hpo/optimizer';
export * as hpo from './hpo';
