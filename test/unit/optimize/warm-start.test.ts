// --warm-start across versions of the search space: an earlier study's configurations mapped into this run's
// space (new dimensions from the starting recipe, levers the fixed part sets dropped) or refused, naming why.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configToOverrides, recipePoint, runSpace } from '../../../lib/optimize/space';
import { warmStartConfigs } from '../../../lib/optimize/warm-start';
import { resolveTrainConfig } from '../../../lib/model/config';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-warm-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A configuration of search space version 1: the eleven dimensions before the recipe levers.
const v1 = { lr: 1e-3, weightDecay: 1e-5, convDropout: 0.1, lstmDropout: 0.2, headDropout: 0.3, lstmHidden: 64, convWidth: 1.5, batchSize: 16, noiseP: 0.25, snrLowDb: 5, snrHighDb: 20 };

function journal(name: string, configs: Record<string, unknown>[]): string {
  const file = path.join(tmp, `${name}.jsonl`);
  fs.writeFileSync(file, configs.map((config, index) => JSON.stringify({ index, iteration: 0, config, fitness: 0.5 + index / 100, status: 'ok', seconds: 1, worker: 0 }) + '\n').join(''));
  return file;
}

describe('warmStartConfigs', () => {
  it('maps a version 1 study into this space: the new dimensions take the starting recipe’s values', () => {
    const file = journal('v1', [v1, { ...v1, lr: 2e-3 }]);
    const configs = warmStartConfigs(file, 5);
    const recipe = recipePoint().config;
    expect(configs).toEqual([
      { ...v1, pooling: recipe.pooling, utteranceStd: false, speechStats: false, speakerNorm: 0, clipSeconds: 3, mixupAlpha: 0, specAugmentMasks: 1 },
      { ...v1, lr: 2e-3, pooling: 'mean', utteranceStd: false, speechStats: false, speakerNorm: 0, clipSeconds: 3, mixupAlpha: 0, specAugmentMasks: 1 },
    ]);
    expect(Object.keys(configs[0])).toEqual(Object.keys(runSpace())); // the space's order, so journals compare equal
    for (const c of configs) expect(() => resolveTrainConfig(configToOverrides(c))).not.toThrow();
  });

  it('drops the levers this run’s fixed part sets (the fixed value wins), and then counts duplicates once', () => {
    const fixed = { architecture: { pooling: 'attention' as const }, features: { clipSeconds: 1.5 } };
    const file = journal('v2', [{ ...recipePoint().config, pooling: 'last', clipSeconds: 2 }, { ...recipePoint().config, pooling: 'mean', clipSeconds: 4 }, { ...v1 }]);
    const configs = warmStartConfigs(file, 5, fixed);
    expect(configs).toHaveLength(2); // the first two differ only in the fixed levers
    for (const c of configs) {
      expect(Object.keys(c)).toEqual(Object.keys(runSpace(fixed)));
      expect(resolveTrainConfig(configToOverrides(c, fixed)).architecture.pooling).toBe('attention');
    }
  });

  it('refuses a configuration it cannot map, naming the evaluation and the reason', () => {
    expect(() => warmStartConfigs(journal('unknown', [{ ...v1, momentum: 0.9 }]), 3)).toThrow(/--warm-start .*unknown\.jsonl: evaluation 0 sets momentum, which search space version 2 does not have/);
    expect(() => warmStartConfigs(journal('range', [{ ...v1, batchSize: 48 }]), 3)).toThrow(/evaluation 0 is not a point of search space version 2 \(.*config\.batchSize/);
    const error = (() => {
      try {
        warmStartConfigs(journal('bad', [{ ...v1, pooling: 'max' }]), 3);
      } catch (e) {
        return e as Error & { code?: string };
      }
      return null;
    })();
    expect(error?.code).toBe('ERR_DATA');
    expect(error?.message).toMatch(/config\.pooling/);
  });
});
