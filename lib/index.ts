// ser-native: speech emotion recognition for Node.js on LibTorch. Public API.
export { info, setNumThreads, resolveDevice, packageVersion } from './info';
export type { Info } from './info';
export { SerNativeError } from './errors';
export type { SerNativeErrorCode } from './errors';
export type { Device } from './is';
export { logMel, melFilterbank, PRESETS, resolveLogMelOptions, frameCount } from './features';
export type { LogMel, LogMelCallOptions, LogMelOptions, LogMelPreset } from './features';
