// ser-native: speech emotion recognition for Node.js on LibTorch. Public API.
export { info, setNumThreads, resolveDevice, packageVersion } from './info';
export type { Info } from './info';
export { SerNativeError } from './errors';
export type { SerNativeErrorCode } from './errors';
export type { Device } from './is';

// Features
export { logMel, melFilterbank, PRESETS, resolveLogMelOptions, frameCount, spectrogramToPng } from './features';
export type { LogMel, LogMelCallOptions, LogMelOptions, LogMelPreset } from './features';

// Audio and data
export { readWav, writeWav, encodeWav, probeWav, WavError, resample, fixLength, windows, detectSpeech, trimToSpeech, DEFAULT_VAD_OPTIONS } from './audio';
export type { SpeechDetection, SpeechSegment, VadOptions } from './audio/vad';
export type { WavAudio, WavFormat } from './audio';
export type { AudioInput } from './audio/decode';
export { addWhiteNoise, measureSnrDb, planEpoch, parseSchedule, validateSchedule } from './augment';
export type { NoiseSchedule, AugmentDecision } from './augment';
export { indexDataset, makeSplit, defaultSplit, kfoldSplits, parseSplitSpec, parseLabelMap, EMOTIONS, DatasetError } from './dataset';
export type { DatasetItem, IndexResult, Split, SplitSpec, Emotion, LabelMap } from './dataset';
export { generateDemoCorpus, ensureDemoCorpus } from './demo';
export type { DemoCorpusOptions } from './demo';

// Model, training, evaluation
export { loadModel, predict, EmotionModel } from './model/model';
export type { Prediction, PredictOptions, Segment, LoadModelOptions, TimelineOptions } from './model/model';
export type { SmoothingOptions } from './model/smoothing';

// Live audio: model.stream() and model.createStream() (attached to EmotionModel by lib/stream)
export { EmotionStream, EmotionTransform, decodePcm } from './stream';
export type { StreamOptions, StreamSegment, PcmChunk, CreateStreamOptions, PcmFormat } from './stream';
export { ChunkResampler } from './audio/chunk-resampler';
export { exportOnnx } from './export/onnx';
export type { ExportOnnxOptions, ExportOnnxResult } from './export/onnx';
export { defaultTrainConfig, resolveTrainConfig } from './model/config';
export type { TrainConfig, Architecture, FeatureConfig, OptimizerConfig } from './model/config';
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

// Metrics and reports
export { classificationReport, argmax } from './metrics';
export type { ClassificationReport, Protocol } from './metrics';
export { renderTrainingReport } from './report/train-report';

// Hyper-parameter search: the optimizers (pure TypeScript) and the SER search over training runs
export * from './hpo';
export * from './optimize';
