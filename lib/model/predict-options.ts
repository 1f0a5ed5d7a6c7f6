// The scoring options that predict(), timeline() and a live stream (lib/stream/) share, checked in
// one place so that every way of predicting accepts the same values and names them the same way.
// (Each caller checks its own set of keys first; smoothing is checked in ./smoothing.ts.)
import type { VadOptions } from '../audio/vad';
import type { FeatureConfig } from './config';
import * as is from '../is';

export interface ScoringOptions {
  /** Abstain (emotion null, reason 'low-confidence') when the top probability is below this. Default 0. */
  minConfidence?: number;
  /** Speech-detection settings, or false to score every input or window as it is. */
  vad?: Partial<VadOptions> | false;
}

/** minConfidence in [0, 1] (default 0) and vad: an object of settings (default {}) or false. */
export function checkScoringOptions(o: ScoringOptions): { minConfidence: number; vad: Partial<VadOptions> | false } {
  const minConfidence = o.minConfidence === undefined ? 0 : is.number('options.minConfidence', o.minConfidence, { min: 0, max: 1 });
  const vad = o.vad === undefined ? {} : o.vad === false ? false : (is.plainObject('options.vad', o.vad) as Partial<VadOptions>);
  return { minConfidence, vad };
}

/** Seconds between window starts of timeline() and a stream: 0.01 to 600 (default the model's windowHopSeconds). */
export function checkHop(hop: number | undefined, f: FeatureConfig): number {
  return hop === undefined ? f.windowHopSeconds : is.number('options.hop', hop, { min: 0.01, max: 600 });
}
