// Robustness: the degradations do what they say (band, SNR, gain), and evaluateRobustness scores
// every condition with flip rates against the clean clips.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { babble, gain, mixAtSnr, telephone, viaRate } from '../../lib/augment/degrade';
import { measureSnrDb, meanPower } from '../../lib/augment/noise';
import { evaluateRobustness, robustnessTable, ROBUSTNESS_CONDITIONS } from '../../lib/train/robustness';
import { untrainedBundle } from '../helpers/bundles';

const SR = 16000;
const tone = (hz: number, seconds = 1, amp = 0.5) => Float32Array.from({ length: seconds * SR }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / SR));
const rms = (x: Float32Array, from = 0.1) => Math.sqrt(meanPower(x.subarray(Math.round(from * x.length), Math.round((1 - from) * x.length))));

test('telephone keeps the 300-3400 Hz band and removes what is above 4 kHz and below 300 Hz', () => {
  expect(rms(telephone(tone(1000), SR))).toBeCloseTo(rms(tone(1000)), 1);
  expect(rms(telephone(tone(6000), SR))).toBeLessThan(0.01 * rms(tone(6000)));
  expect(rms(telephone(tone(60), SR))).toBeLessThan(0.1 * rms(tone(60)));
});

test('a round trip through 44.1 or 22.05 kHz keeps a speech-band tone', () => {
  for (const r of [44100, 22050]) {
    const y = viaRate(tone(440), SR, r);
    expect(y.length).toBe(SR);
    expect(rms(y)).toBeCloseTo(rms(tone(440)), 2);
  }
});

test('gain scales and clips to [-1, 1]', () => {
  const up = gain(tone(440, 1, 0.5), 12);
  expect(Math.max(...up)).toBe(1);
  expect(rms(gain(tone(440, 1, 0.1), -12))).toBeCloseTo(rms(tone(440, 1, 0.1)) / 10 ** (12 / 20), 4);
});

test('mixAtSnr and babble give the asked SNR', () => {
  const x = tone(300);
  const noise = babble(x.length, [tone(700, 0.5, 0.2), tone(1300, 0.7, 0.9)]);
  for (const snr of [20, 10, 5]) expect(measureSnrDb(x, mixAtSnr(x, noise, snr))).toBeCloseTo(snr, 6);
  expect(() => babble(10, [])).toThrow(/others/);
});

describe('evaluateRobustness', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-robust-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('every condition is scored, against the clean predictions', async () => {
    const model = path.join(tmp, 'model');
    untrainedBundle(model, ['neutral', 'angry'], 4);
    const r = await evaluateRobustness({ model, demo: { actors: 4, emotions: ['neutral', 'angry'], seconds: 1.5 }, demoDir: path.join(tmp, 'demo'), clips: 'all' });
    expect(r.rows.map((x) => x.condition)).toEqual([...ROBUSTNESS_CONDITIONS]);
    expect(r.rows[0]).toMatchObject({ condition: 'clean', flipRate: 0, uarDrop: 0 });
    for (const row of r.rows) {
      expect(row.uar).toBeGreaterThanOrEqual(0);
      expect(row.uar).toBeLessThanOrEqual(1);
      expect(row.flipRate).toBeGreaterThanOrEqual(0);
      expect(row.uarDrop).toBeCloseTo(row.uar - r.rows[0].uar, 12);
    }
    expect(r.protocol.name).toBe('speaker-independent');
    expect(robustnessTable(r, true).split('\n')).toHaveLength(2 + ROBUSTNESS_CONDITIONS.length);
  }, 300000);
});
