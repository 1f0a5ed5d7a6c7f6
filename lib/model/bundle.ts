// Model bundles: one folder holding model.json (everything needed to predict, plus provenance)
// and weights.bin (the tensors as raw little-endian floats, indexed by model.json). Loading reads
// data only: no code from a bundle is ever executed, and every field and shape is checked.
//
// Format version 1: one network, float32, `tensors` at the top level (what every earlier
// ser-native wrote; still written for such bundles, and read unchanged).
// Format version 2: `members`, each network with its own architecture and tensors (an ensemble
// whose probabilities are averaged), and `dtype` 'float32' or 'float16' for weights.bin.
// Either version may carry `calibration` (a temperature applied to the clip's probabilities).
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { Architecture, FeatureConfig, validateArchitecture, validateFeatureConfig } from './config';
import { float16ToFloat32, float32ToFloat16 } from './float16';
import type { TensorState } from './native-model';
import { checkDeclaredSizes, checkFinite, checkTensorIndex } from './bundle-check';

export const BUNDLE_FORMAT = 'ser-native-model';
/** The newest format version this ser-native reads and writes. */
export const BUNDLE_VERSION = 2;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset and length in elements of `dtype` within weights.bin. */
  offset: number;
  length: number;
}

export interface MemberMeta {
  /** e.g. 'fold-1'; named in every error about this member. */
  name: string;
  architecture: Architecture;
  tensors: TensorEntry[];
}

/** Temperature scaling fitted on held-out predictions (lib/metrics/calibration.ts). */
export interface Calibration {
  method: 'temperature';
  temperature: number;
  /** What it was fitted on, e.g. 'out-of-fold predictions of 5 folds (1,080 clips)'. */
  fittedOn: string;
  n: number;
  nllBefore: number;
  nllAfter: number;
  eceBefore: number;
  eceAfter: number;
}

export interface BundleMeta {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  labels: string[];
  features: FeatureConfig;
  /** The (first) member's architecture. */
  architecture: Architecture;
  /** Version 2: the member networks. */
  members?: MemberMeta[];
  /** Version 2: element type of weights.bin (version 1 is always float32). */
  dtype?: 'float32' | 'float16';
  /** Version 1: the single network's tensors. */
  tensors?: TensorEntry[];
  calibration?: Calibration;
  /** Terms of use of the weights (e.g. non-commercial, from the training data's licences). */
  licence?: string;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  versions: { package: string; libtorch: string };
  createdAt: string;
}

export interface Member {
  name: string;
  architecture: Architecture;
  state: TensorState[];
}

export type BundleInfo = Omit<BundleMeta, 'tensors' | 'members' | 'dtype' | 'format' | 'formatVersion' | 'createdAt'>;

function bad(dir: string, why: string): SerNativeError {
  return new SerNativeError('ERR_MODEL', `${dir} is not a usable ser-native model bundle: ${why}`);
}

/**
 * Writes a bundle atomically: a temp folder renamed over the old one, so a crash never leaves half
 * a bundle. `state` is one network's tensors (format version 1 unless dtype is float16), or the
 * members of an ensemble (version 2).
 */
export function saveBundle(dir: string, meta: BundleInfo, state: TensorState[] | Member[], options: { dtype?: 'float32' | 'float16' } = {}): void {
  const dtype = options.dtype ?? 'float32';
  is.oneOf('options.dtype', dtype, ['float32', 'float16'] as const);
  const isMembers = state.length > 0 && 'state' in state[0];
  const members: Member[] = isMembers ? (state as Member[]) : [{ name: 'model', architecture: meta.architecture, state: state as TensorState[] }];
  if (members.length === 0) throw is.rangeError('state', 'at least one member', state);
  const width = dtype === 'float16' ? 2 : 4;
  let offset = 0;
  const entries = members.map((m) =>
    m.state.map((t) => {
      const e = { name: t.name, shape: t.shape, offset, length: t.data.length };
      offset += t.data.length;
      return e;
    }),
  );
  const weights = Buffer.alloc(offset * width);
  members.forEach((m, i) =>
    m.state.forEach((t, j) => {
      // BatchNorm's batch counter is not used at inference; clamp it to half's range rather than store Inf.
      const data = dtype === 'float16' ? float32ToFloat16(t.name.endsWith('num_batches_tracked') ? t.data.map((v) => Math.min(v, 65504)) : t.data) : t.data;
      Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(weights, entries[i][j].offset * width);
    }),
  );
  const v1 = !isMembers && dtype === 'float32';
  const { architecture: _a, ...rest } = meta;
  const full: BundleMeta = v1
    ? { format: BUNDLE_FORMAT, formatVersion: 1, createdAt: new Date().toISOString(), ...meta, tensors: entries[0] }
    : {
        format: BUNDLE_FORMAT,
        formatVersion: 2,
        createdAt: new Date().toISOString(),
        ...rest,
        architecture: members[0].architecture,
        dtype,
        members: members.map((m, i) => ({ name: m.name, architecture: m.architecture, tensors: entries[i] })),
      };
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), weights);
  fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(full, null, 2) + '\n');
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/** The bundle's model.json path, whether given the folder or the file. */
export function modelJsonPath(dir: string): string {
  const root = path.resolve(dir);
  const jsonPath = fs.existsSync(root) && fs.statSync(root).isFile() ? root : path.join(root, MODEL_JSON);
  // A training run's --out folder holds the bundle in model/: accept the folder the user just trained into.
  if (!fs.existsSync(jsonPath) && fs.existsSync(path.join(root, 'model', MODEL_JSON))) return path.join(root, 'model', MODEL_JSON);
  return jsonPath;
}

/** Reads and validates a bundle; the caller builds the networks and loads their state (shapes checked natively too). */
export function readBundle(dir: string): { meta: BundleMeta; members: Member[]; state: TensorState[] } {
  const jsonPath = modelJsonPath(dir);
  const folder = path.dirname(jsonPath);
  if (!fs.existsSync(jsonPath)) throw bad(dir, `${MODEL_JSON} is missing (train one with \`ser-native train --out ${dir}\`)`);
  let meta: BundleMeta;
  try {
    meta = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw bad(dir, `${MODEL_JSON} is not valid JSON (${(e as Error).message})`);
  }
  if (!meta || meta.format !== BUNDLE_FORMAT) throw bad(dir, `${MODEL_JSON} has format ${JSON.stringify(meta?.format)}, expected "${BUNDLE_FORMAT}"`);
  if (meta.formatVersion !== 1 && meta.formatVersion !== 2) throw bad(dir, `format version ${meta.formatVersion} is not supported (this ser-native reads versions 1 and 2; upgrade ser-native)`);
  if (!Array.isArray(meta.labels) || meta.labels.length < 2 || !meta.labels.every((l) => typeof l === 'string')) throw bad(dir, 'labels must be a list of at least two strings');
  const list: MemberMeta[] = meta.formatVersion === 1 ? [{ name: 'model', architecture: meta.architecture, tensors: meta.tensors as TensorEntry[] }] : (meta.members as MemberMeta[]);
  if (!Array.isArray(list) || list.length === 0) throw bad(dir, 'it lists no member networks');
  const dtype = meta.formatVersion === 1 ? 'float32' : meta.dtype;
  if (dtype !== 'float32' && dtype !== 'float16') throw bad(dir, `dtype ${JSON.stringify(dtype)} is not 'float32' or 'float16'`);
  const where = (i: number) => (list.length > 1 || meta.formatVersion === 2 ? `member '${list[i]?.name ?? i}' (${i + 1} of ${list.length}): ` : '');
  try {
    list.forEach((m, i) => {
      if (!m || typeof m !== 'object') throw new Error(`${where(i)}is not an object`);
      m.architecture = validateArchitecture(m.architecture, `${where(i)}architecture`);
    });
    meta.architecture = list[0].architecture;
    // Every member reads the same input: the features are checked against each architecture.
    list.forEach((m) => (meta.features = validateFeatureConfig(meta.features, m.architecture, 'features')));
  } catch (e) {
    throw bad(dir, (e as Error).message);
  }
  if (meta.calibration !== undefined) {
    const t = meta.calibration?.temperature;
    if (meta.calibration?.method !== 'temperature' || typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) throw bad(dir, 'calibration must be { method: "temperature", temperature > 0, ... }');
  }
  list.forEach((m, i) => checkDeclaredSizes(dir, m.architecture, meta.features, meta.labels.length, 'architecture', where(i)));
  const weightsPath = path.join(folder, WEIGHTS_BIN);
  if (!fs.existsSync(weightsPath)) throw bad(dir, `${WEIGHTS_BIN} is missing`);
  // Sizes first, from the file's length and the index: nothing is read or built for a bundle that does not add up.
  const size = fs.statSync(weightsPath).size;
  const width = dtype === 'float16' ? 2 : 4;
  const total = list.reduce((a, m, i) => {
    if (!Array.isArray(m.tensors) || m.tensors.length === 0) throw bad(dir, `${where(i)}it lists no tensors`);
    return a + m.tensors.reduce((b, t) => b + (Number.isInteger(t?.length) ? t.length : NaN), 0);
  }, 0);
  if (size !== total * width) throw bad(dir, `${WEIGHTS_BIN} has ${size} bytes but ${MODEL_JSON} describes ${Number.isNaN(total) ? 'tensors without a valid length' : total * width}`);
  list.forEach((m, i) => checkTensorIndex(dir, m.architecture, meta.features.logMel.nMels, meta.labels.length, m.tensors, total, 'architecture', where(i)));
  const bytes = fs.readFileSync(weightsPath);
  const raw = dtype === 'float16' ? new Uint16Array(total) : new Float32Array(total);
  Buffer.from(raw.buffer).set(bytes);
  const all = dtype === 'float16' ? float16ToFloat32(raw as Uint16Array) : (raw as Float32Array);
  const members = list.map((m, i) => ({
    name: typeof m.name === 'string' ? m.name : `member-${i + 1}`,
    architecture: m.architecture,
    state: m.tensors.map((t) => {
      const okShape = Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && d >= 0);
      const numel = okShape ? t.shape.reduce((a, b) => a * b, 1) : NaN;
      if (typeof t.name !== 'string' || !Number.isInteger(t.offset) || t.offset < 0 || t.length !== numel || t.offset + t.length > total) throw bad(dir, `${where(i)}tensor ${t.name} has an inconsistent shape/offset`);
      return { name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) };
    }),
  }));
  members.forEach((m) => checkFinite(dir, m.state));
  return { meta, members, state: members[0].state };
}
