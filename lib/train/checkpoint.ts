// Step 2c of train(): what happens after each epoch's validation — tracking the best epoch (the
// snapshot kept in the network), early stopping, the plateau schedule, and the files in --out:
// the bundle (always the best model so far, so Ctrl-C leaves it usable) and history.jsonl.
import * as fs from 'fs';
import * as path from 'path';
import { saveBundle } from '../model/bundle';
import type { TrainConfig } from '../model/config';
import type { NativeModel } from '../model/native-model';
import type { PreparedData } from './prepare';
import type { EpochRecord } from './types';

/** Best-epoch bookkeeping: which epoch is best, how long since, and the plateau LR scale. */
export class BestTracker {
  best = -1;
  bestEpoch = -1;
  sinceBest = 0;
  plateauScale = 1;
  constructor(private readonly config: TrainConfig) {}

  /** Records an epoch's validation UAR; true when it is a new best. */
  observe(epoch: number, uar: number): boolean {
    if (uar > this.best + 1e-9) {
      this.best = uar;
      this.bestEpoch = epoch;
      this.sinceBest = 0;
      return true;
    }
    this.sinceBest++;
    if (this.config.lrSchedule === 'plateau' && this.sinceBest % 4 === 0) this.plateauScale *= 0.5;
    return false;
  }

  get shouldStop(): boolean {
    return this.config.patience > 0 && this.sinceBest >= this.config.patience;
  }
}

/** The run's files in --out (all writes are no-ops without one). */
export class RunFiles {
  private readonly bundleDir: string | null;
  private readonly historyPath: string | null;
  constructor(
    out: string | undefined,
    private readonly d: PreparedData,
    private readonly config: TrainConfig,
    readonly versions: { package: string; libtorch: string },
  ) {
    this.bundleDir = out ? path.join(path.resolve(out), 'model') : null;
    this.historyPath = out ? path.join(out, 'history.jsonl') : null;
    if (out) fs.mkdirSync(out, { recursive: true });
    if (this.historyPath) fs.writeFileSync(this.historyPath, '');
  }

  saveBundle(net: NativeModel, metrics: Record<string, unknown>): void {
    if (!this.bundleDir) return;
    const { labels, split, protocol, teacher } = this.d;
    const training = { config: this.config, split, protocol, ...(teacher ? { teacher: teacher.record } : {}) };
    saveBundle(this.bundleDir, { labels, features: this.config.features, architecture: this.config.architecture, training, metrics, versions: this.versions }, net.getState());
  }

  appendHistory(record: EpochRecord): void {
    if (this.historyPath) fs.appendFileSync(this.historyPath, JSON.stringify(record) + '\n');
  }
}
