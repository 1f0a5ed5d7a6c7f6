// evaluate(): a saved model on labelled recordings, with the protocol the score was measured under.
import type { InferencePrecision } from '../binding';
import { DatasetItem } from '../dataset';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { argmax, classificationReport, ClassificationReport, Protocol } from '../metrics';
import { EmotionModel, loadModel } from '../model/model';
import { speakerStats } from '../model/speaker-stats';
import { DataOptions, loadAudio, resolveData } from './data';

export interface EvaluateOptions extends DataOptions {
  model: string;
  device?: is.Device;
  /** What prediction computes in (loadModel's options.precision): 'float32' (default) or 'bfloat16'. */
  precision?: InferencePrecision;
  /**
   * 'speaker': also score every clip normalised with its speaker's statistics (from all of that
   * speaker's clips given, by the corpus's speaker ids; lib/model/speaker-stats.ts), side by side
   * with the lone-clip figures. A speaker with one clip is scored alone. Default 'none'.
   */
  adapt?: 'none' | 'speaker';
}

export interface EvaluateResult extends ClassificationReport {
  skipped: { path: string; reason: string }[];
  excluded: { path: string; reason: string }[];
  /** With adapt 'speaker': the adapted figures, and how many clips had no other clip of their speaker (scored alone). */
  adapted?: ClassificationReport & { speakers: number; loneClips: number; note: string | null };
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  is.options<EvaluateOptions>('options', options, { ravdess: true, savee: true, data: true, labelMap: true, split: true, demo: true, demoDir: true, model: true, device: true, precision: true, adapt: true });
  const o = is.plainObject("options", options) as unknown as EvaluateOptions;
  if (typeof o.model !== 'string') throw is.invalidParameterError('options.model', 'a model bundle path', o.model);
  const model = loadModel(o.model, { device: o.device ?? 'cpu', precision: o.precision });
  const data = await resolveData(o);
  const labels = model.labels;
  const known = new Set(labels);
  const excluded = data.items.filter((it) => !known.has(it.emotion)).map((it) => ({ path: it.path, reason: `emotion '${it.emotion}' is not one of the model's labels` }));
  const items: DatasetItem[] = data.items.filter((it) => known.has(it.emotion));
  if (items.length === 0) throw new SerNativeError('ERR_DATA', `none of the ${data.items.length} recordings has one of the model's labels (${labels.join(', ')})`);
  const audio = loadAudio(items, model.features.logMel.sampleRate);
  const probs = await model.probabilitiesAsync(audio.clips);
  const yTrue = audio.items.map((it) => labels.indexOf(it.emotion));
  const yPred = argmax(probs, labels.length);
  // Speaker-independent only if no evaluated speaker was heard in training.
  const trainSpeakers: string[] = ((model.meta.training as { split?: { train?: { speakers?: string[] } } } | undefined)?.split?.train?.speakers) ?? [];
  const speakers = [...new Set(audio.items.map((it) => it.speaker))].sort();
  const overlap = speakers.filter((s) => trainSpeakers.includes(s));
  const protocol: Protocol = overlap.length === 0
    ? { name: 'speaker-independent', description: `evaluated on ${speakers.length} speakers never heard in training`, trainSpeakers, testSpeakers: speakers }
    : { name: 'speaker-dependent', description: `evaluated on ${speakers.length} speakers, of whom ${overlap.length} (${overlap.slice(0, 5).join(', ')}${overlap.length > 5 ? ', ...' : ''}) were in training`, trainSpeakers, testSpeakers: speakers };
  const report = classificationReport(yTrue, yPred, labels, protocol);
  const adapt = is.oneOf('options.adapt', o.adapt ?? 'none', ['none', 'speaker'] as const);
  const adapted = adapt === 'speaker' ? await adaptedReport(model, audio.clips, audio.items, yTrue, protocol, o.device ?? 'cpu') : undefined;
  return { ...report, skipped: [...data.skipped, ...audio.skipped], excluded, ...(adapted ? { adapted } : {}) };
}

/** The same clips, each normalised with its speaker's statistics (a speaker with one clip: alone). */
async function adaptedReport(model: EmotionModel, clips: Float32Array[], items: DatasetItem[], yTrue: number[], protocol: Protocol, device: string): Promise<NonNullable<EvaluateResult['adapted']>> {
  const count = new Map<string, number>();
  for (const it of items) count.set(it.speaker, (count.get(it.speaker) ?? 0) + 1);
  const { perClip } = speakerStats(clips, items.map((it) => it.speaker), model.features, device);
  const stats = items.map((it, i) => (count.get(it.speaker)! > 1 ? perClip[i] : null));
  const probs = await model.probabilitiesAsync(clips, { stats });
  const loneClips = stats.filter((s) => s === null).length;
  const p: Protocol = { ...protocol, description: `${protocol.description}; each speaker's clips normalised with the statistics of all of that speaker's clips (adapted)${loneClips ? `, ${loneClips} clips alone (the only clip of their speaker)` : ''}` };
  const note = model.features.speakerNorm > 0 ? null : 'this model was trained without speaker normalisation (features.speakerNorm 0): adapted figures use statistics it never saw in training';
  return { ...classificationReport(yTrue, argmax(probs, model.labels.length), model.labels, p), speakers: count.size, loneClips, note };
}
