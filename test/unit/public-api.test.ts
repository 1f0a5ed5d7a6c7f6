// The public surface is pinned twice: by type (test/types/public-api.ts must compile and its
// expected-error lines must stay errors) and at run time (the root module export names).
import { execFileSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

test('test/types/public-api.ts compiles with tsc --noEmit', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'test', 'types')], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    output = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
  }
  expect(output).toBe('');
}, 120000);

test('the package root exports the user-facing API, with the optimizer internals under hpo', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const lib = require('../../lib');
  expect(Object.keys(lib).sort()).toEqual(
    [
      'DatasetError', 'EMOTIONS', 'EmotionStream', 'EmotionTransform', 'decodePcm', 'SerNativeError', 'WavError', 'defaultTrainConfig', 'detectSpeech', 'ensureDemoCorpus', 'evaluate', 'exportOnnx', 'hpo',
      'indexDataset', 'info', 'loadModel', 'logMel', 'makeSplit', 'melFilterbank', 'minimize', 'optimize', 'predict', 'readWav', 'resample',
      'resolveDevice', 'resumeMinimize', 'setNumThreads', 'setSerialForwardWindows', 'train', 'trimToSpeech', 'writeWav',
      'DEFAULT_MODEL_LICENCE', 'ROBUSTNESS_CONDITIONS', 'applyTemperature', 'calibrateTraining', 'calibrationReport', 'defaultModelDir',
      'defaultModelInfo', 'evaluateRobustness', 'fitTemperature', 'trainFolds', 'releaseMemory',
    ].sort(),
  );
  for (const name of ['encode', 'decode', 'reflect', 'Rng', 'createOptimizer', 'minimize']) expect(typeof lib.hpo[name]).toBe('function');
  expect(lib.hpo.sphere.evaluate([0, 0])).toBe(0);
});
