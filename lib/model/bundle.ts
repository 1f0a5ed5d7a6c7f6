// Model bundles: one folder holding model.json (everything needed to predict, plus provenance)
// and weights.bin (the tensors as raw little-endian float32, indexed by model.json). Loading
// reads data only: no code from a bundle is ever executed, and every field and shape is checked.
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import { Architecture, FeatureConfig, validateArchitecture, validateFeatureConfig } from './config';
import type { TensorState } from './native-model';
import { checkDeclaredSizes, checkFinite, checkTensorIndex } from './bundle-check';

export const BUNDLE_FORMAT = 'ser-native-model';
export const BUNDLE_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface BundleMeta {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  labels: string[];
  features: FeatureConfig;
  architecture: Architecture;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  versions: { package: string; libtorch: string };
  createdAt: string;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
}

function bad(dir: string, why: string): SerNativeError {
  return new SerNativeError('ERR_MODEL', `${dir} is not a usable ser-native model bundle: ${why}`);
}

/** Writes a bundle atomically: a temp folder renamed over the old one, so a crash never leaves half a bundle. */
export function saveBundle(dir: string, meta: Omit<BundleMeta, 'tensors' | 'format' | 'formatVersion' | 'createdAt'>, state: TensorState[]): void {
  const tensors: BundleMeta['tensors'] = [];
  let offset = 0;
  for (const t of state) {
    tensors.push({ name: t.name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  const weights = Buffer.alloc(offset * 4);
  for (const t of state) {
    const at = tensors.find((x) => x.name === t.name)!.offset * 4;
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(weights, at);
  }
  const full: BundleMeta = { format: BUNDLE_FORMAT, formatVersion: BUNDLE_VERSION, createdAt: new Date().toISOString(), ...meta, tensors };
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

/** Reads and validates a bundle; the caller builds the model and loads the state (shapes checked natively too). */
export function readBundle(dir: string): { meta: BundleMeta; state: TensorState[] } {
  const root = path.resolve(dir);
  let jsonPath = fs.existsSync(root) && fs.statSync(root).isFile() ? root : path.join(root, MODEL_JSON);
  // A training run's --out folder holds the bundle in model/: accept the folder the user just trained into.
  if (!fs.existsSync(jsonPath) && fs.existsSync(path.join(root, 'model', MODEL_JSON))) jsonPath = path.join(root, 'model', MODEL_JSON);
  const folder = path.dirname(jsonPath);
  if (!fs.existsSync(jsonPath)) throw bad(dir, `${MODEL_JSON} is missing (train one with \`ser-native train --out ${dir}\`)`);
  let meta: BundleMeta;
  try {
    meta = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw bad(dir, `${MODEL_JSON} is not valid JSON (${(e as Error).message})`);
  }
  if (!meta || meta.format !== BUNDLE_FORMAT) throw bad(dir, `${MODEL_JSON} has format ${JSON.stringify(meta?.format)}, expected "${BUNDLE_FORMAT}"`);
  if (meta.formatVersion !== BUNDLE_VERSION) throw bad(dir, `format version ${meta.formatVersion} is not supported (this ser-native reads version ${BUNDLE_VERSION})`);
  if (!Array.isArray(meta.labels) || meta.labels.length < 2 || !meta.labels.every((l) => typeof l === 'string')) throw bad(dir, 'labels must be a list of at least two strings');
  try {
    meta.architecture = validateArchitecture(meta.architecture, 'architecture');
    meta.features = validateFeatureConfig(meta.features, meta.architecture, 'features');
  } catch (e) {
    throw bad(dir, (e as Error).message);
  }
  checkDeclaredSizes(dir, meta.architecture, meta.features, meta.labels.length);
  if (!Array.isArray(meta.tensors) || meta.tensors.length === 0) throw bad(dir, 'it lists no tensors');
  const weightsPath = path.join(folder, WEIGHTS_BIN);
  if (!fs.existsSync(weightsPath)) throw bad(dir, `${WEIGHTS_BIN} is missing`);
  // Sizes first, from the file's length and the index: nothing is read or built for a bundle that does not add up.
  const size = fs.statSync(weightsPath).size;
  const total = meta.tensors.reduce((a, t) => a + t.length, 0);
  if (size !== total * 4) throw bad(dir, `${WEIGHTS_BIN} has ${size} bytes but ${MODEL_JSON} describes ${total * 4}`);
  checkTensorIndex(dir, meta.architecture, meta.features.logMel.nMels, meta.labels.length, meta.tensors, total);
  const bytes = fs.readFileSync(weightsPath);
  const all = new Float32Array(total);
  Buffer.from(all.buffer).set(bytes);
  const state = meta.tensors.map((t) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.length !== numel || t.offset + t.length > total) throw bad(dir, `tensor ${t.name} has an inconsistent shape/offset`);
    return { name: t.name, shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) };
  });
  checkFinite(dir, state);
  return { meta, state };
}
