// The default model shipped in the package (models/default/, trained by `npm run train:default-model`):
// where it is, and what `info` says about it.
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../binding';
import { SerNativeError } from '../errors';
import { MODEL_JSON, modelJsonPath, BundleMeta } from './bundle';

/** The licence of the shipped weights, said plainly (README, docs/MODEL_CARD.md, info). */
export const DEFAULT_MODEL_LICENCE =
  'Non-commercial use only: the weights are learnt from RAVDESS (CC BY-NC-SA 4.0) and SAVEE (research use). ' +
  'The ser-native code is MIT; for commercial use, train a model on your own data with `ser-native train`.';

/** models/default/ in the package, or SER_NATIVE_DEFAULT_MODEL when set. */
export function defaultModelDir(options: { mustExist?: boolean } = {}): string {
  const dir = process.env.SER_NATIVE_DEFAULT_MODEL || path.join(packageRoot(), 'models', 'default');
  if (options.mustExist && !fs.existsSync(path.join(dir, MODEL_JSON))) {
    throw new SerNativeError(
      'ERR_MODEL',
      `the default model is not installed: ${path.join(dir, MODEL_JSON)} is missing` +
        `${process.env.SER_NATIVE_DEFAULT_MODEL ? ' (SER_NATIVE_DEFAULT_MODEL points there)' : ' (this copy of ser-native was packed without models/default/)'}. ` +
        'Pass a model bundle instead (--model DIR, loadModel(dir)); train one with `ser-native train --out DIR`, or in a clone of ser-native run `npm run train:default-model`.',
    );
  }
  return dir;
}

export interface DefaultModelInfo {
  path: string;
  installed: boolean;
  labels?: string[];
  members?: number;
  temperature?: number | null;
  /** Headline figures recorded at training (out-of-fold UAR mean ± std, ECE after calibration). */
  figures?: Record<string, unknown>;
  licence: string;
  createdAt?: string;
}

/** What the default model is, read from its model.json only (no weights loaded, no addon needed). */
export function defaultModelInfo(): DefaultModelInfo {
  const dir = defaultModelDir();
  const file = modelJsonPath(dir);
  if (!fs.existsSync(file)) return { path: dir, installed: false, licence: DEFAULT_MODEL_LICENCE };
  try {
    const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleMeta;
    const m = (meta.metrics ?? {}) as Record<string, unknown>;
    return {
      path: dir,
      installed: true,
      labels: meta.labels,
      members: meta.members?.length ?? 1,
      temperature: meta.calibration?.temperature ?? null,
      figures: (m.summary as Record<string, unknown>) ?? {},
      // A bundle without a recorded licence (e.g. one you trained and point SER_NATIVE_DEFAULT_MODEL at) gets no borrowed terms.
      licence: meta.licence ?? 'not recorded in this bundle (check the data it was trained on)',
      createdAt: meta.createdAt,
    };
  } catch (e) {
    throw new SerNativeError('ERR_MODEL', `the default model's ${file} is not valid JSON: ${(e as Error).message}`);
  }
}
