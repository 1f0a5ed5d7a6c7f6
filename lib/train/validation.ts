// Step 2b of train(): scoring the validation set — clip probabilities through the same native clip
// pipeline as predict() (lib/model/clip-pipeline.ts), the epoch's loss and UAR, and the final
// per-corpus figures of the best checkpoint.
import { argmax, classificationReport, ClassificationReport } from '../metrics';
import { scoreClips } from '../model/clip-pipeline';
import type { FeatureConfig } from '../model/config';
import type { NativeModel } from '../model/native-model';
import type { PreparedData } from './prepare';

export interface ValidationScore {
  report: ClassificationReport;
  /** Mean negative log-likelihood of the true class. */
  loss: number;
  predictions: number[];
}

export async function validationProbabilities(net: NativeModel, d: PreparedData, features: FeatureConfig): Promise<Float32Array> {
  return (await scoreClips([net], d.valClips, features, {}, true)).probabilities;
}

export async function scoreValidation(net: NativeModel, d: PreparedData, features: FeatureConfig): Promise<ValidationScore> {
  const probs = await validationProbabilities(net, d, features);
  const classes = d.labels.length;
  const predictions = argmax(probs, classes);
  let loss = 0;
  d.valLabels.forEach((t, i) => (loss -= Math.log(Math.max(1e-12, probs[i * classes + t]))));
  return { report: classificationReport(d.valLabels, predictions, d.labels, d.protocol), loss: loss / d.valLabels.length, predictions };
}

/** Per-corpus reports of some predictions, when the validation set mixes corpora (else empty). */
export function perCorpusReports(d: PreparedData, predictions: number[]): Record<string, ClassificationReport> {
  const out: Record<string, ClassificationReport> = {};
  const corpora = [...new Set(d.valItems.map((it) => it.corpus))];
  if (corpora.length < 2) return out;
  for (const c of corpora) {
    const idx = d.valItems.map((it, i) => (it.corpus === c ? i : -1)).filter((i) => i >= 0);
    out[c] = classificationReport(idx.map((i) => d.valLabels[i]), idx.map((i) => predictions[i]), d.labels, { ...d.protocol, description: `${d.protocol.description} (${c} only)` });
  }
  return out;
}
