// One voice heard over time (a session, a stream, a batch known to be one speaker): the running
// per-mel statistics of its speech frames (lib/model/speaker-stats.ts), and whether enough has been
// heard to normalise with them. Until then — or for a model not trained with speaker normalisation
// (features.speakerNorm = 0) — clips are normalised with their own statistics, and results say
// `adapted: false`.
import type { FeatureConfig } from './config';
import { rawClipFeatures } from './features';
import { FeatureStats, speechFrameMask } from './speaker-stats';
import type { SpeechDetection } from '../audio/vad';
import * as is from '../is';

/** Seconds of speech a voice must have been heard for before its statistics are used. */
export const DEFAULT_ADAPT_AFTER_SECONDS = 8;

export interface VoiceOptions {
  /** Adapt to the voice at all (default true; a model trained without speakerNorm never adapts). */
  adapt?: boolean;
  /** Seconds of speech heard before adapting (default DEFAULT_ADAPT_AFTER_SECONDS). */
  adaptAfter?: number;
}

export function checkVoiceOptions(o: VoiceOptions, where = 'options'): Required<VoiceOptions> {
  return {
    adapt: o.adapt === undefined ? true : is.boolean(`${where}.adapt`, o.adapt),
    adaptAfter: o.adaptAfter === undefined ? DEFAULT_ADAPT_AFTER_SECONDS : is.number(`${where}.adaptAfter`, o.adaptAfter, { min: 0, max: 3600 }),
  };
}

export class Voice {
  private readonly acc: FeatureStats;
  private readonly enabled: boolean;
  private readonly adaptAfter: number;

  constructor(private readonly features: FeatureConfig, options: VoiceOptions = {}, private readonly device = 'cpu') {
    const o = checkVoiceOptions(options);
    this.acc = new FeatureStats(features.logMel.nMels);
    this.enabled = o.adapt && features.speakerNorm > 0 && features.utteranceNorm;
    this.adaptAfter = o.adaptAfter;
  }

  /** Seconds of speech heard so far (log-mel frames that speech detection marks as speech). */
  get heardSeconds(): number {
    return (this.acc.frames * this.features.logMel.hopLength) / this.features.logMel.sampleRate;
  }

  /** Whether clips are now normalised with the voice's statistics. */
  get adapted(): boolean {
    return this.enabled && this.acc.frames > 0 && this.heardSeconds >= this.adaptAfter;
  }

  /**
   * Hears a clip at the model's rate: adds its speech frames (silence adds nothing). Frames centred
   * before `fromSample` are skipped, so overlapping windows of a stream count their audio once.
   * `detection`: the clip's speech detection when the caller has made it already (default settings).
   */
  hear(clip: Float32Array, fromSample = 0, detection?: SpeechDetection): void {
    if (!this.enabled || clip.length === 0) return;
    const speech = speechFrameMask(clip, this.features, detection);
    if (!speech) return;
    const hop = this.features.logMel.hopLength;
    const [m] = rawClipFeatures([clip], this.features, this.device);
    // Padding frames (a clip shorter than one window) are not the voice.
    const frames = Math.floor(clip.length / hop) + 1;
    this.acc.add(m, (t) => t < frames && t * hop >= fromSample && speech(t));
  }

  /** The statistics to normalise with, or null while not adapted. */
  stats(): Float32Array | null {
    return this.adapted ? this.acc.stats() : null;
  }
}
