// Where an epoch's wall time goes: per-phase seconds, recorded in every history.jsonl line and
// printed by `train --profile`. Phases measured on the worker thread come from native/trainer.h.

/** Wall seconds per phase of one epoch (phases that did not run are 0). */
export interface EpochProfile {
  /** Preparing the epoch's data before training: noise, log-mel of noisy copies, crops/warps (JS thread or native producer). */
  noise: number;
  noisyLogMel: number;
  crops: number;
  /** Native epoch: assembling batches (or waiting for the producer), SpecAugment, forward, backward, optimizer step. */
  batch: number;
  specAugment: number;
  forward: number;
  backward: number;
  step: number;
  /** Forward passes over the validation windows and the clip-level scores. */
  validation: number;
  /** Bundle writes of a new best checkpoint and the history line. */
  checkpoint: number;
  /** Progress callbacks (the native side's hand-over plus the listener's time on the JS thread). */
  progress: number;
  /** The whole epoch, wall clock; the phases above leave the rest unaccounted for. */
  total: number;
  /** LibTorch intra-op threads used by the training worker thread. */
  intraOpThreads: number;
}

export const PROFILE_PHASES = ['noise', 'noisyLogMel', 'crops', 'batch', 'specAugment', 'forward', 'backward', 'step', 'validation', 'checkpoint', 'progress'] as const;
export type ProfilePhase = (typeof PROFILE_PHASES)[number];

export function emptyProfile(): EpochProfile {
  return { noise: 0, noisyLogMel: 0, crops: 0, batch: 0, specAugment: 0, forward: 0, backward: 0, step: 0, validation: 0, checkpoint: 0, progress: 0, total: 0, intraOpThreads: 0 };
}

/** Lap timer: `lap(phase)` adds the time since the previous lap to that phase. */
export class Stopwatch {
  private last = process.hrtime.bigint();
  constructor(readonly profile: EpochProfile = emptyProfile()) {}
  lap(phase: ProfilePhase): void {
    const now = process.hrtime.bigint();
    this.profile[phase] += Number(now - this.last) / 1e9;
    this.last = now;
  }
  /** Starts the next lap now without charging the elapsed time to any phase. */
  skip(): void {
    this.last = process.hrtime.bigint();
  }
}

/** Runs `fn`, adding its wall time to `phase` (for callbacks that run between laps). */
export function timed<T>(profile: EpochProfile, phase: ProfilePhase, fn: () => T): T {
  const t0 = process.hrtime.bigint();
  try {
    return fn();
  } finally {
    profile[phase] += Number(process.hrtime.bigint() - t0) / 1e9;
  }
}

/** One line per epoch: `noise 1.2 s · log-mel 0.8 s · …`, phases below 5 ms left out. */
export function formatProfile(p: EpochProfile): string {
  const names: Record<ProfilePhase, string> = {
    noise: 'noise',
    noisyLogMel: 'noisy log-mel',
    crops: 'crops/warps',
    batch: 'batches',
    specAugment: 'SpecAugment',
    forward: 'forward',
    backward: 'backward',
    step: 'step',
    validation: 'validation',
    checkpoint: 'checkpoint',
    progress: 'progress',
  };
  const parts = PROFILE_PHASES.filter((k) => p[k] >= 0.005).map((k) => `${names[k]} ${p[k].toFixed(2)}`);
  const other = p.total - PROFILE_PHASES.reduce((a, k) => a + p[k], 0);
  if (other >= 0.005) parts.push(`other ${other.toFixed(2)}`);
  return `${p.total.toFixed(1)} s = ${parts.join(' + ')} s (${p.intraOpThreads} intra-op threads)`;
}
