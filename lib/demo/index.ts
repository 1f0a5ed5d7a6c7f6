// The built-in synthetic demo corpus (RAVDESS layout).
export * from './profiles';
export * from './statements';
export * from './voice';
export * from './synth';
export * from './corpus';
