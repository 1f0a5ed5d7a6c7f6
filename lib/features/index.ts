export { logMel, melFilterbank } from './logmel';
export type { LogMel, LogMelCallOptions } from './logmel';
export { PRESETS, resolveLogMelOptions, frameCount } from './options';
export type { LogMelOptions, LogMelPreset } from './options';
export { spectrogramToPng, encodePng } from './png';
