import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWav } from '../../../lib/audio/wav';
import { DEMO_EMOTIONS, generateDemoCorpus } from '../../../lib/demo';
import { clipFeatures, FEATURE_NAMES, Labelled, nearestCentroidAccuracy } from './clip-features';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-demo-cls-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the default demo corpus is learnable from prosody but not trivially (speaker-independent split)', () => {
  const t0 = performance.now();
  const corpus = generateDemoCorpus(path.join(tmp, 'demo'));
  const ms = performance.now() - t0;
  expect(corpus.files).toHaveLength(480);

  const items = corpus.files.map((f) => {
    const m = /03-01-(\d\d)-\d\d-\d\d-\d\d-(\d\d)\.wav$/.exec(f);
    if (!m) throw new Error(`unexpected demo file name ${f}`);
    return { actor: Number(m[2]), label: DEMO_EMOTIONS[Number(m[1]) - 1], features: clipFeatures(readWav(f).samples) };
  });
  const train: Labelled[] = items.filter((i) => i.actor <= 6);
  const test: Labelled[] = items.filter((i) => i.actor >= 7);
  const { accuracy, confusion } = nearestCentroidAccuracy(train, test);
  const chance = 1 / DEMO_EMOTIONS.length;
  // eslint-disable-next-line no-console
  console.log(
    `demo corpus: ${corpus.files.length} clips, ${corpus.seconds.toFixed(0)} s of audio generated in ${(ms / 1000).toFixed(1)} s; ` +
      `nearest-centroid on [${FEATURE_NAMES.join(', ')}], actors 1-6 -> 7-8: accuracy ${(100 * accuracy).toFixed(1)}% ` +
      `(chance ${(100 * chance).toFixed(1)}%)\n${JSON.stringify(confusion)}`,
  );
  expect(accuracy).toBeGreaterThan(2 * chance);
  expect(accuracy).toBeLessThan(0.9);
  expect(ms).toBeLessThan(20000); // ~2 s on one core
});
