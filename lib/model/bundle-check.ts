// Checks of a bundle's declared sizes, made before any network is built: every size in model.json
// within MODEL_LIMITS, every tensor the architecture implies present in the tensor index with the
// shape it implies (so a model.json saying channels[3] = 1e6 over weights of 96 channels is refused
// by name instead of allocating gigabytes), and no NaN/Inf among the weights.
import { SerNativeError } from '../errors';
import { MODEL_LIMITS } from '../limits';
import type { Architecture, FeatureConfig } from './config';

export interface IndexEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

interface Expected {
  shape: number[];
  /** The model.json fields this tensor's shape follows from, named in a mismatch. */
  fields: string;
}

function err(dir: string, why: string, who = ''): SerNativeError {
  return new SerNativeError('ERR_MODEL', `${dir} is not a usable ser-native model bundle: ${who}${why}`);
}

function limit(dir: string, field: string, value: number, max: number, who = ''): void {
  if (value > max) throw new SerNativeError('ERR_LIMIT', `${dir} is not a usable ser-native model bundle: ${who}model.json's ${field} is ${value}; the limit is ${max} (lib/limits.ts MODEL_LIMITS), far above any model ser-native trains`);
}

/** Declared sizes against MODEL_LIMITS; `where` prefixes architecture fields (e.g. "members[1].architecture"). */
export function checkDeclaredSizes(dir: string, a: Architecture, f: FeatureConfig, labels: number, where = 'architecture', who = ''): void {
  a.channels.forEach((c, i) => limit(dir, `${where}.channels[${i}]`, c, MODEL_LIMITS.channels, who));
  limit(dir, `${where}.lstmHidden`, a.lstmHidden, MODEL_LIMITS.lstmHidden, who);
  limit(dir, `${where}.lstmLayers`, a.lstmLayers, MODEL_LIMITS.lstmLayers, who);
  limit(dir, 'labels (count)', labels, MODEL_LIMITS.labels);
  limit(dir, 'features.logMel.nMels', f.logMel.nMels, MODEL_LIMITS.nMels);
  limit(dir, 'features.logMel.nFft', f.logMel.nFft, MODEL_LIMITS.nFft);
  limit(dir, 'features.logMel.hopLength', f.logMel.hopLength, MODEL_LIMITS.hopLength);
}

/** The tensors native/model.cc registers for an architecture, with their shapes (its state_dict order does not matter here). */
export function expectedTensors(a: Architecture, nMels: number, nClasses: number, where = 'architecture'): Map<string, Expected> {
  const m = new Map<string, Expected>();
  let inCh = 1;
  a.channels.forEach((c, i) => {
    const ch = `${where}.channels[${i}]`;
    m.set(`blocks.${i}.0.weight`, { shape: [c, inCh, 3, 3], fields: i === 0 ? ch : `${where}.channels[${i - 1}] and ${ch}` });
    for (const t of ['weight', 'bias', 'running_mean', 'running_var']) m.set(`blocks.${i}.1.${t}`, { shape: [c], fields: ch });
    m.set(`blocks.${i}.1.num_batches_tracked`, { shape: [], fields: ch });
    inCh = c;
  });
  const reduced = a.poolFreq.reduce((x, p) => Math.floor(x / p), nMels);
  const h = a.lstmHidden;
  const dirs = a.bidirectional ? 2 : 1;
  for (let l = 0; l < a.lstmLayers; l++) {
    const inputs = l === 0 ? a.channels[3] * reduced : h * dirs;
    const inFields = l === 0 ? `${where}.channels[3], ${where}.poolFreq and features.logMel.nMels` : `${where}.lstmHidden and ${where}.bidirectional`;
    for (const sfx of a.bidirectional ? ['', '_reverse'] : ['']) {
      m.set(`lstm.weight_ih_l${l}${sfx}`, { shape: [4 * h, inputs], fields: `${where}.lstmHidden, ${inFields}` });
      m.set(`lstm.weight_hh_l${l}${sfx}`, { shape: [4 * h, h], fields: `${where}.lstmHidden` });
      m.set(`lstm.bias_ih_l${l}${sfx}`, { shape: [4 * h], fields: `${where}.lstmHidden` });
      m.set(`lstm.bias_hh_l${l}${sfx}`, { shape: [4 * h], fields: `${where}.lstmHidden` });
    }
  }
  const out = h * dirs;
  if (a.pooling === 'attention') {
    m.set('attention.weight', { shape: [1, out], fields: `${where}.lstmHidden, ${where}.bidirectional and ${where}.pooling` });
    m.set('attention.bias', { shape: [1], fields: `${where}.pooling` });
  }
  m.set('head.weight', { shape: [nClasses, out], fields: `labels, ${where}.lstmHidden and ${where}.bidirectional` });
  m.set('head.bias', { shape: [nClasses], fields: 'labels' });
  m.set('feat_mean', { shape: [nMels], fields: 'features.logMel.nMels' });
  m.set('feat_std', { shape: [nMels], fields: 'features.logMel.nMels' });
  return m;
}

/**
 * The tensor index against the architecture, before anything is allocated: the same names, the
 * same shapes, each length equal to its shape's product and inside weights.bin (`available` values).
 */
export function checkTensorIndex(dir: string, a: Architecture, nMels: number, nClasses: number, tensors: IndexEntry[], available: number, where = 'architecture', who = ''): void {
  const bad = (why: string) => err(dir, why, who);
  const expected = expectedTensors(a, nMels, nClasses, where);
  let params = 0;
  for (const e of expected.values()) params += e.shape.reduce((x, y) => x * y, 1);
  if (params > MODEL_LIMITS.parameters) {
    throw new SerNativeError('ERR_LIMIT', `${dir} is not a usable ser-native model bundle: ${who}model.json's ${where} implies ${params} parameters; the limit is ${MODEL_LIMITS.parameters} (lib/limits.ts MODEL_LIMITS)`);
  }
  const seen = new Set<string>();
  for (const t of tensors) {
    if (!t || typeof t.name !== 'string' || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`model.json's tensor index has a malformed entry ${JSON.stringify(t).slice(0, 120)}`);
    const e = expected.get(t.name);
    if (!e) throw bad(`tensor '${t.name}' in model.json's tensor index is not part of the network ${where} describes`);
    if (seen.has(t.name)) throw bad(`tensor '${t.name}' is listed twice in model.json's tensor index`);
    seen.add(t.name);
    if (e.shape.length !== t.shape.length || e.shape.some((d, i) => d !== t.shape[i])) {
      throw bad(`tensor '${t.name}' has shape [${t.shape.join(', ')}] in the tensor index, but ${e.fields} in model.json imply [${e.shape.join(', ')}]`);
    }
    const numel = t.shape.reduce((x, y) => x * y, 1);
    if (!Number.isSafeInteger(t.offset) || t.offset < 0 || t.length !== numel || t.offset + t.length > available) {
      throw bad(`tensor '${t.name}' (offset ${t.offset}, ${t.length} values for shape [${t.shape.join(', ')}]) does not fit the ${available} values of weights.bin`);
    }
  }
  const missing = [...expected.keys()].filter((n) => !seen.has(n));
  if (missing.length > 0) throw bad(`model.json's tensor index lacks ${missing.length} tensor(s) the network needs, e.g. '${missing[0]}' (${expected.get(missing[0])!.fields})`);
}

/** NaN or ±Inf anywhere in the weights: such a model would answer NaN confidences, so it is refused at load. */
export function checkFinite(dir: string, tensors: { name: string; data: Float32Array }[]): void {
  for (const t of tensors) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v - v !== 0) throw err(dir, `weights.bin holds ${v} in tensor '${t.name}' (value ${i}): the weights are corrupt or the training diverged`);
    }
  }
}
