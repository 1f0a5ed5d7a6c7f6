// The evaluation cache of a race: one entry per (configuration, budget, seed, fold). A configuration proposed
// again (two points of the cube that decode to the same configuration, a choice or an integer rounded to the same
// value, an optimizer returning to a point) is never trained again on a replicate it was measured on: the cache
// answers, at no cost. Failures are cached too, with their message, so a configuration that crashes on a
// replicate is not retried there. Keys are JSON text, so a cache survives a checkpoint.
import * as is from '../is';
import type { Replicate } from './race';

export type CachedValue = { readonly value: number } | { readonly error: string };

/** The configuration's identity: JSON text of its decoded values (the same configuration, the same key). */
export function configKey(config: unknown): string {
  return JSON.stringify(config);
}

export function evaluationKey(config: unknown, budget: number, replicate: Replicate): string {
  return JSON.stringify([configKey(config), budget, replicate.seed, replicate.fold]);
}

export class EvaluationCache {
  private readonly entries = new Map<string, CachedValue>();

  get size(): number {
    return this.entries.size;
  }

  get(config: unknown, budget: number, replicate: Replicate): CachedValue | undefined {
    return this.entries.get(evaluationKey(config, budget, replicate));
  }

  set(config: unknown, budget: number, replicate: Replicate, result: CachedValue): void {
    this.entries.set(evaluationKey(config, budget, replicate), result);
  }

  /** JSON-safe entries: [key, value] or [key, { error }]. */
  toJson(): [string, number | { error: string }][] {
    return [...this.entries].map(([k, v]) => [k, 'value' in v ? v.value : { error: v.error }]);
  }

  static fromJson(name: string, json: unknown): EvaluationCache {
    if (!Array.isArray(json)) throw is.invalidArgument(`Expected array of cache entries for ${name} but received ${is.describe(json)}`);
    const cache = new EvaluationCache();
    json.forEach((e: unknown, i) => {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw is.invalidArgument(`Expected [key, value] for ${name}[${i}] but received ${is.describe(e)}`);
      const v = e[1] as unknown;
      if (typeof v === 'number' && Number.isFinite(v)) cache.entries.set(e[0], { value: v });
      else if (typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'string') cache.entries.set(e[0], { error: (v as { error: string }).error });
      else throw is.invalidArgument(`Expected a finite number or { error } for ${name}[${i}][1] but received ${is.describe(v)}`);
    });
    return cache;
  }
}
