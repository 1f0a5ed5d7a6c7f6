// evaluateRobustness(): the same labelled clips under recording conditions a corpus does not have
// (lib/augment/degrade.ts), scored by a saved model: UAR under each condition, and how often the
// prediction flips against the clean clip. "It works on the corpus, not on my recordings."
import type { InferencePrecision } from '../binding';
import type { DatasetItem } from '../dataset';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { argmax, classificationReport, Protocol } from '../metrics';
import { percent } from '../metrics/percent';
import { addWhiteNoise } from '../augment/noise';
import { babble, gain, mixAtSnr, telephone, viaRate } from '../augment/degrade';
import { loadModel } from '../model/model';
import { deriveSeed, Rng } from '../random';
import { DataOptions, loadAudio, resolveData, splitData } from './data';

export const ROBUSTNESS_CONDITIONS = [
  'clean',
  'telephone-8k',
  'resampled-44.1k',
  'resampled-22.05k',
  'gain+12dB',
  'gain-12dB',
  'white-20dB',
  'white-10dB',
  'white-5dB',
  'babble-20dB',
  'babble-10dB',
  'babble-5dB',
] as const;
export type RobustnessCondition = (typeof ROBUSTNESS_CONDITIONS)[number];

export interface RobustnessOptions extends DataOptions {
  /** Model bundle; the default model when omitted. */
  model?: string;
  device?: is.Device;
  /** What prediction computes in (loadModel's options.precision). */
  precision?: InferencePrecision;
  /**
   * Which clips: the split's validation clips ('default': RAVDESS 17-20 + SAVEE JE), or 'all' for
   * every labelled clip given.
   */
  clips?: 'validation' | 'all';
  conditions?: RobustnessCondition[];
  /** Seed of the noise and of the babble talkers. */
  seed?: number;
  onProgress?: (condition: RobustnessCondition, done: number, total: number) => void;
}

export interface RobustnessRow {
  condition: RobustnessCondition;
  accuracy: number;
  uar: number;
  /** UAR minus the clean UAR. */
  uarDrop: number;
  /** Share of clips whose predicted emotion differs from the clean clip's. */
  flipRate: number;
}

export interface RobustnessResult {
  model: string;
  protocol: Protocol;
  n: number;
  labels: string[];
  rows: RobustnessRow[];
  skipped: { path: string; reason: string }[];
}

/** The clip under one condition; `others` are other speakers' clips for babble. */
export function degrade(condition: RobustnessCondition, x: Float32Array, rate: number, seed: number, others: Float32Array[]): Float32Array {
  const snr = /-(\d+)dB$/.exec(condition);
  switch (condition) {
    case 'clean':
      return x;
    case 'telephone-8k':
      return telephone(x, rate);
    case 'resampled-44.1k':
      return viaRate(x, rate, 44100);
    case 'resampled-22.05k':
      return viaRate(x, rate, 22050);
    case 'gain+12dB':
      return gain(x, 12);
    case 'gain-12dB':
      return gain(x, -12);
    default:
      if (condition.startsWith('white-')) return addWhiteNoise(x, Number(snr![1]), { seed });
      if (condition.startsWith('babble-')) return mixAtSnr(x, babble(x.length, others), Number(snr![1]));
      throw is.invalidParameterError('condition', `one of ${ROBUSTNESS_CONDITIONS.join(', ')}`, condition);
  }
}

export async function evaluateRobustness(options: RobustnessOptions = {}): Promise<RobustnessResult> {
  const o = is.plainObject('options', options) as RobustnessOptions;
  const conditions = o.conditions ?? [...ROBUSTNESS_CONDITIONS];
  conditions.forEach((c, i) => is.oneOf(`options.conditions[${i}]`, c, ROBUSTNESS_CONDITIONS));
  if (!conditions.includes('clean')) conditions.unshift('clean');
  const seed = o.seed ?? 1;
  const model = loadModel(o.model, { device: o.device ?? 'cpu', precision: o.precision });
  const rate = model.features.logMel.sampleRate;
  const data = await resolveData(o);
  const which = o.clips ?? 'validation';
  is.oneOf('options.clips', which, ['validation', 'all'] as const);
  let items: DatasetItem[] = which === 'all' ? data.items : splitData(data, o.split, seed).validation;
  items = items.filter((i) => model.labels.includes(i.emotion));
  if (items.length === 0) throw new SerNativeError('ERR_DATA', `no clips with one of the model's labels (${model.labels.join(', ')}) to evaluate`);
  const audio = loadAudio(items, rate);
  const y = audio.items.map((i) => model.labels.indexOf(i.emotion));
  // Babble talkers: four clips of other speakers per clip, fixed by the seed.
  const rng = new Rng(deriveSeed(seed, 99));
  const talkers = audio.items.map((it) => {
    const pool = audio.items.map((o2, j) => (o2.speaker !== it.speaker ? j : -1)).filter((j) => j >= 0);
    return pool.length === 0 ? [] : Array.from({ length: 4 }, () => audio.clips[pool[rng.int(pool.length)]]);
  });
  const trainSpeakers: string[] = ((model.meta.training as { split?: { train?: { speakers?: string[] } } } | undefined)?.split?.train?.speakers) ?? [];
  const speakers = [...new Set(audio.items.map((i) => i.speaker))].sort();
  const heard = speakers.filter((s) => trainSpeakers.includes(s));
  const protocol: Protocol =
    heard.length === 0
      ? { name: 'speaker-independent', description: `${audio.items.length} clips of ${speakers.length} speakers never heard in training`, trainSpeakers, testSpeakers: speakers }
      : { name: 'speaker-dependent', description: `${audio.items.length} clips of ${speakers.length} speakers, ${heard.length} of them heard in training`, trainSpeakers, testSpeakers: speakers };
  const rows: RobustnessRow[] = [];
  let clean: number[] = [];
  for (const condition of conditions) {
    const clips = audio.clips.map((x, i) => {
      if (condition.startsWith('babble-') && talkers[i].length === 0) throw new SerNativeError('ERR_DATA', 'babble noise needs clips of at least two speakers');
      return degrade(condition, x, rate, deriveSeed(seed, i), talkers[i]);
    });
    o.onProgress?.(condition, rows.length, conditions.length);
    const pred = argmax(await model.probabilitiesAsync(clips), model.labels.length);
    if (condition === 'clean') clean = pred;
    const r = classificationReport(y, pred, model.labels, protocol);
    const flips = pred.reduce((a, p, i) => a + (p !== clean[i] ? 1 : 0), 0);
    rows.push({ condition, accuracy: r.accuracy, uar: r.uar, uarDrop: r.uar - (rows[0]?.uar ?? r.uar), flipRate: flips / pred.length });
  }
  return { model: model.path, protocol, n: audio.items.length, labels: model.labels, rows, skipped: [...data.skipped, ...audio.skipped] };
}

/** The rows as a plain-text table (CLI) or Markdown (model card). */
export function robustnessTable(r: RobustnessResult, markdown = false): string {
  const head = ['condition', 'UAR', 'Δ UAR', 'accuracy', 'flip rate'];
  const body = r.rows.map((x) => [x.condition, percent(x.uar), x.condition === 'clean' ? '' : `${x.uarDrop >= 0 ? '+' : ''}${percent(x.uarDrop, { unit: '' })}`, percent(x.accuracy), x.condition === 'clean' ? '' : percent(x.flipRate)]);
  if (markdown) return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((b) => `| ${b.join(' | ')} |`)].join('\n');
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((row) => row.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}
