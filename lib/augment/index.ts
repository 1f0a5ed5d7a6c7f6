// Seeded randomness, noise augmentation and its schedule over epochs.
export * from './rng';
export * from './noise';
export * from './schedule';
