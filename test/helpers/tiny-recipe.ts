// The tiny demo corpus and recipe that the optimize and distributed suites search over:
// 2 classes, 6 synthetic actors and a small network, so one epoch on 48 clips takes well under a second.
export const demo = { actors: 6, emotions: ['neutral' as const, 'angry' as const], seconds: 1.5 };

export const fixed = {
  features: { clipSeconds: 1, windowHopSeconds: 0.5 },
  architecture: { channels: [8, 16, 16, 16] as number[], lstmLayers: 1 },
  warmupEpochs: 0,
  lrSchedule: 'constant' as const,
  specAugment: { freqMasks: 0, timeMasks: 0 },
  warp: { time: 0, freq: 0 },
};
