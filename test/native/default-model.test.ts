// The shipped default model (models/default/): it loads, and its probabilities on a few real clips
// match the values recorded when it was trained (test/fixtures/default-model-expected.json, written by
// `npm run train:default-model`) to 1e-4. Skipped with a message when the model or ../shared/data is absent.
import * as fs from 'fs';
import * as path from 'path';
import { loadModel, predict } from '../../lib/model/model';
import { defaultModelDir, defaultModelInfo } from '../../lib/model/default-model';
import { compareWithExpected, Expected } from '../helpers/expected-probabilities';
import { HAVE_SHARED_DATA, SHARED_DATA } from '../helpers/shared-data';

const dir = defaultModelDir();
const expectedFile = path.resolve(__dirname, '..', 'fixtures', 'default-model-expected.json');
const installed = fs.existsSync(path.join(dir, 'model.json'));
const why = !installed ? `${dir} has no model (train it with \`npm run train:default-model\`)` : !fs.existsSync(expectedFile) ? `${expectedFile} is missing` : !HAVE_SHARED_DATA ? `${SHARED_DATA} is not on this machine` : '';
if (why) console.warn(`Skipping the default-model regression test: ${why}.`);
const describeShipped = why ? describe.skip : describe;

describeShipped('the shipped default model', () => {
  const expected: Expected = why ? { weightsSha256: '', clips: [] } : JSON.parse(fs.readFileSync(expectedFile, 'utf8'));

  test('loads with no path, says its licence, and is a calibrated ensemble', () => {
    const m = loadModel();
    expect(m.path).toBe(dir);
    expect(m.calibration?.method).toBe('temperature');
    const info = defaultModelInfo();
    expect(info).toMatchObject({ installed: true, labels: m.labels });
    expect(info.licence).toMatch(/non-commercial/i);
    expect(m.meta.training).toMatchObject({ seed: expect.any(Number), dataDigest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, recipe: expect.any(Object) });
  });

  test('the expected values belong to these weights', () => {
    expect(compareWithExpected(dir, expected, SHARED_DATA).sameWeights).toBe(true);
  });

  test('probabilities on the recorded clips match to 1e-4', () => {
    const r = compareWithExpected(dir, expected, SHARED_DATA);
    expect(r.compared).toBeGreaterThanOrEqual(3);
    expect(r.worst).toBeLessThan(1e-4);
  });

  test('a model that adapts: one voice predicted as one speaker matches to 1e-4 (adapted and lone alike)', () => {
    const m = loadModel();
    if (m.features.speakerNorm === 0) {
      expect(expected.adapted).toBeUndefined();
      return;
    }
    const r = compareWithExpected(dir, expected, SHARED_DATA);
    expect(expected.adapted!.some((c) => c.adapted)).toBe(true);
    expect(r.worstAdapted).toBeLessThan(1e-4);
  });

  test("predict('clip.wav') with no model path uses it", () => {
    const c = expected.clips[0];
    expect(predict(path.join(SHARED_DATA, c.clip)).emotion).toBe(c.emotion);
  });
});

test('a missing default model is a clear ERR_MODEL', () => {
  const before = process.env.SER_NATIVE_DEFAULT_MODEL;
  process.env.SER_NATIVE_DEFAULT_MODEL = path.join(__dirname, 'no-such-model');
  try {
    expect(() => loadModel()).toThrow(expect.objectContaining({ code: 'ERR_MODEL', message: expect.stringMatching(/the default model is not installed: .*no-such-model.*model\.json is missing.*--model DIR/) }));
    expect(defaultModelInfo()).toMatchObject({ installed: false });
  } finally {
    if (before === undefined) delete process.env.SER_NATIVE_DEFAULT_MODEL;
    else process.env.SER_NATIVE_DEFAULT_MODEL = before;
  }
});
