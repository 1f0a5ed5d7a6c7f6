// Calibration of a single trained model: a temperature fitted on its validation predictions
// (lib/metrics/calibration.ts), stored in its bundle and shown in metrics.json and report.html.
// (trainFolds fits its temperature on out-of-fold predictions instead.)
import * as path from 'path';
import { SerNativeError } from '../errors';
import { info } from '../info';
import { applyTemperature, calibrationReport, CalibrationReport, fitTemperature } from '../metrics/calibration';
import { Calibration, readBundle, saveBundle } from '../model/bundle';
import { loadModel } from '../model/model';
import { DataOptions, loadAudio, resolveData, splitData } from './data';
import { writeTrainingOutputs } from './outputs';
import type { TrainResult } from './types';

export interface RunCalibration extends Calibration {
  before: CalibrationReport;
  after: CalibrationReport;
}

/**
 * Fits the temperature of a finished train() run on its validation clips (the same data options
 * and split as the run), writes it into out/model, and rewrites metrics.json and report.html.
 */
export async function calibrateTraining(result: TrainResult, data: DataOptions, options: { device?: string; audioCache?: Map<string, Float32Array> } = {}): Promise<RunCalibration> {
  if (!result.out) throw new SerNativeError('ERR_MODEL', 'calibrateTraining needs a run trained with `out` (its bundle is where the temperature is stored)');
  const bundleDir = path.join(result.out, 'model');
  const split = splitData(await resolveData(data), data.split, result.config.seed);
  const items = split.validation.filter((i) => result.labels.includes(i.emotion));
  if (items.length === 0) throw new SerNativeError('ERR_DATA', `no validation clips to calibrate on (${split.description})`);
  const model = loadModel(bundleDir, { device: (options.device ?? 'cpu') as never });
  const audio = loadAudio(items, model.features.logMel.sampleRate, undefined, options.audioCache);
  const raw = await model.probabilitiesAsync(audio.clips, { calibrated: false });
  const y = audio.items.map((i) => result.labels.indexOf(i.emotion));
  const k = result.labels.length;
  const fit = fitTemperature(raw, y, k);
  const before = calibrationReport(raw, y, k);
  const after = calibrationReport(applyTemperature(raw, k, fit.temperature), y, k);
  const calibration: Calibration = {
    method: 'temperature',
    temperature: fit.temperature,
    fittedOn: `validation predictions (${audio.items.length} clips of ${split.speakers.validation.length} speakers)`,
    n: audio.items.length,
    nllBefore: fit.nllBefore,
    nllAfter: fit.nllAfter,
    eceBefore: before.ece,
    eceAfter: after.ece,
  };
  const { meta, state } = readBundle(bundleDir);
  const { format: _f, formatVersion: _v, createdAt: _c, tensors: _t, members: _m, dtype: _d, ...keep } = meta;
  saveBundle(bundleDir, { ...keep, calibration }, state);
  const run = { ...calibration, before, after };
  writeTrainingOutputs(result.out, result, { package: info().version, libtorch: info().libtorch.version }, run);
  return run;
}
