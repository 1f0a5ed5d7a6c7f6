// config.emaDecay: an exponential moving average of the network's weights over epochs (Polyak
// averaging at epoch granularity, a cheap cousin of SWA). After each epoch's training the average
// moves towards the new weights; validation, checkpoints and the final bundle see the average, and
// training resumes from the raw weights (the optimizer's state belongs to those). Batch-norm running
// statistics are averaged with the weights, as timm's ModelEmaV2 does.
import type { TensorState } from '../binding';
import type { NativeModel } from '../model/native-model';

export class WeightAverage {
  private average: TensorState[] | null = null;

  constructor(private readonly decay: number) {}

  /** Folds the network's weights into the average and loads the average; returns the raw weights. */
  enter(net: NativeModel): TensorState[] {
    const raw = net.getState();
    if (!this.average) {
      this.average = raw.map((t) => ({ name: t.name, shape: t.shape, data: Float32Array.from(t.data) }));
    } else {
      const d = this.decay;
      this.average.forEach((a, i) => {
        const w = raw[i].data;
        for (let k = 0; k < w.length; k++) a.data[k] = d * a.data[k] + (1 - d) * w[k];
      });
    }
    net.setState(this.average);
    return raw;
  }

  /** Puts the raw weights back so training continues from them. */
  leave(net: NativeModel, raw: TensorState[]): void {
    net.setState(raw);
  }
}
