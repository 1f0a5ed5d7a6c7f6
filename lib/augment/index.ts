// Noise augmentation and its schedule over epochs (seeded with lib/random.ts).
export * from './noise';
export * from './schedule';
