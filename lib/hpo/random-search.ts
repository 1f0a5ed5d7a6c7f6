// Random search, the baseline: every iteration draws `population` points independently and uniformly from
// [0, 1]^D (Bergstra & Bengio, "Random search for hyper-parameter optimization", JMLR 13, 2012).
import { BaseOptimizer, type OptimizerSettings, Restored, coreFromSettings, coreFromState } from './base';
import { type BaseState, uniformPoint } from './optimizer';

export interface RandomSearchState extends BaseState {
  readonly algorithm: 'random';
}

export class RandomSearch extends BaseOptimizer {
  readonly algorithm = 'random' as const;

  constructor(settings: OptimizerSettings | Restored<null>) {
    super(settings instanceof Restored ? settings.core : coreFromSettings(settings, 1));
  }

  static fromState(state: unknown): RandomSearch {
    return new RandomSearch(new Restored(coreFromState(state, 'random', 1), null));
  }

  override state(): RandomSearchState {
    return super.state() as RandomSearchState;
  }

  protected propose(): number[][] {
    const batch: number[][] = [];
    for (let i = 0; i < this.population; i++) batch.push(uniformPoint(this.rng, this.dimension));
    return batch;
  }

  protected absorb(): void {
    // Nothing to learn: BaseOptimizer already tracks the best point.
  }

  protected extraState(): Record<string, unknown> {
    return {};
  }
}
