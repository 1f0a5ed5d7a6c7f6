// Audio I/O and signal helpers: WAV reading/writing, decoding any input, resampling, fixed-length clips.
export * from './wav';
export * from './decode';
export * from './resample';
export * from './fixed-length';
export * from './vad';
