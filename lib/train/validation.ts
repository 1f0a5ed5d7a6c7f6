// Step 2b of train(): scoring the validation set — clip probabilities through the same native clip
// pipeline as predict() (lib/model/clip-pipeline.ts), the epoch's loss and UAR, and the final
// per-corpus figures of the best checkpoint.
import { argmax, classificationReport, ClassificationReport } from '../metrics';
import { scoreClips } from '../model/clip-pipeline';
import type { FeatureConfig } from '../model/config';
import type { NativeModel } from '../model/native-model';
import type { PreparedData } from './prepare';

export interface ValidationScore {
  /** Lone clips (each clip's own statistics): what predict() gives a single clip. */
  report: ClassificationReport;
  /** Mean negative log-likelihood of the true class. */
  loss: number;
  predictions: number[];
  /** With speakerNorm > 0: the same clips normalised with their speaker's statistics. */
  adapted: { uar: number; loss: number } | null;
  /**
   * What picks the best epoch: the lone UAR, or with speakerNorm p the mix (1 − p)·lone + p·adapted,
   * the same mix training saw (a p = 1 network is meant for adapted voices and may be near chance alone).
   */
  selection: number;
}

export async function validationProbabilities(net: NativeModel, d: PreparedData, features: FeatureConfig, stats?: Float32Array[]): Promise<Float32Array> {
  return (await scoreClips([net], d.valClips, features, stats ? { stats } : {}, true)).probabilities;
}

function nll(probs: Float32Array, labels: number[], classes: number): number {
  let loss = 0;
  labels.forEach((t, i) => (loss -= Math.log(Math.max(1e-12, probs[i * classes + t]))));
  return loss / labels.length;
}

export async function scoreValidation(net: NativeModel, d: PreparedData, features: FeatureConfig): Promise<ValidationScore> {
  const probs = await validationProbabilities(net, d, features);
  const classes = d.labels.length;
  const predictions = argmax(probs, classes);
  const report = classificationReport(d.valLabels, predictions, d.labels, d.protocol);
  let adapted: ValidationScore['adapted'] = null;
  if (d.valStats) {
    const a = await validationProbabilities(net, d, features, d.valStats);
    adapted = { uar: classificationReport(d.valLabels, argmax(a, classes), d.labels, d.protocol).uar, loss: nll(a, d.valLabels, classes) };
  }
  const p = features.speakerNorm;
  const selection = adapted ? (1 - p) * report.uar + p * adapted.uar : report.uar;
  return { report, loss: nll(probs, d.valLabels, classes), predictions, adapted, selection };
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
