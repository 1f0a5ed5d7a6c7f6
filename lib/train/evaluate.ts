// evaluate(): a saved model on labelled recordings, with the protocol the score was measured under.
import { DatasetItem } from '../dataset';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { argmax, classificationReport, ClassificationReport, Protocol } from '../metrics';
import { loadModel } from '../model/model';
import { DataOptions, loadAudio, resolveData } from './data';

export interface EvaluateOptions extends DataOptions {
  model: string;
  device?: is.Device;
}

export interface EvaluateResult extends ClassificationReport {
  skipped: { path: string; reason: string }[];
  excluded: { path: string; reason: string }[];
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  is.options<EvaluateOptions>('options', options, { ravdess: true, savee: true, data: true, labelMap: true, split: true, demo: true, demoDir: true, model: true, device: true });
  const o = is.plainObject("options", options) as unknown as EvaluateOptions;
  if (typeof o.model !== 'string') throw is.invalidParameterError('options.model', 'a model bundle path', o.model);
  const model = loadModel(o.model, { device: o.device ?? 'cpu' });
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
  return { ...report, skipped: [...data.skipped, ...audio.skipped], excluded };
}
