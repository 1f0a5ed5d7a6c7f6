// `ser-native serve` settings, their defaults (documented in README.md) and their checks.
import * as is from '../is';

export interface ServeLimits {
  /** Largest request body (a WAV upload), bytes. Default 25 MB (about 13 min of 16 kHz 16-bit mono). */
  bodyLimit: number;
  /** WebSocket streams open at once; more are closed with 1013 "try again later". Default 8. */
  maxStreams: number;
  /** Predictions waiting or running at once; more get 503. Default 256. */
  maxQueue: number;
  /** Seconds without a message before a stream is closed, and an HTTP connection may idle. Default 30. */
  idleTimeout: number;
  /** Largest WebSocket message, bytes. Default 1 MB. */
  maxMessage: number;
}

export const DEFAULT_LIMITS: Readonly<ServeLimits> = Object.freeze({
  bodyLimit: 25 * 1024 * 1024,
  maxStreams: 8,
  maxQueue: 256,
  idleTimeout: 30,
  maxMessage: 1024 * 1024,
});

export function resolveLimits(o: Partial<ServeLimits> = {}): ServeLimits {
  const r = { ...DEFAULT_LIMITS, ...is.options('limits', o, Object.keys(DEFAULT_LIMITS) as (keyof ServeLimits)[]) };
  is.integer('limits.bodyLimit', r.bodyLimit, 1024, 2 ** 31);
  is.integer('limits.maxStreams', r.maxStreams, 0, 100000);
  is.integer('limits.maxQueue', r.maxQueue, 1, 1000000);
  is.number('limits.idleTimeout', r.idleTimeout, { min: 0.1, max: 86400 });
  is.integer('limits.maxMessage', r.maxMessage, 1024, 64 * 1024 * 1024);
  return r;
}
