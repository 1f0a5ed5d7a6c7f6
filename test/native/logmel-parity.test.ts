// Parity of the native log-mel kernel with librosa 0.11 reference spectrograms
// (../shared/fixtures/logmel) and with closed-form properties that need no fixture.
import * as fs from 'fs';
import * as path from 'path';
import { logMel, melFilterbank, LogMelOptions } from '../../lib';
import { frameCount, resolveLogMelOptions } from '../../lib/features';

const fixtures = path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'logmel');
const haveFixtures = fs.existsSync(fixtures);
if (!haveFixtures) console.warn(`skipping librosa parity tests: ${fixtures} is missing (it sits beside the project in the dev setup)`);

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const snakeToCamel: Record<string, keyof LogMelOptions> = {
  sample_rate: 'sampleRate', n_fft: 'nFft', win_length: 'winLength', hop_length: 'hopLength', center: 'center', pad_mode: 'padMode',
  power: 'power', n_mels: 'nMels', f_min: 'fMin', f_max: 'fMax', mel_scale: 'melScale', norm: 'norm', amin: 'amin', top_db: 'topDb',
};

const names = haveFixtures ? fs.readdirSync(fixtures).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')) : [];

(haveFixtures ? describe : describe.skip)('parity with librosa reference spectrograms', () => {
  test.each(names)('%s: within 0.01 dB over the top 80 dB, same frame count', (name) => {
    const meta = JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.json`), 'utf8'));
    const options: Partial<LogMelOptions> = {};
    for (const [k, v] of Object.entries(meta.params)) (options as Record<string, unknown>)[snakeToCamel[k]] = v;
    const input = readF32(path.join(fixtures, `${name}.input.f32`));
    const expected = readF32(path.join(fixtures, `${name}.expected.f32`));
    expect(input.length).toBe(meta.input_samples);
    const r = logMel(input, options);
    expect([r.nMels, r.frames]).toEqual(meta.expected_shape);
    let max = -Infinity;
    for (const v of expected) max = Math.max(max, v);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) if (expected[i] > max - 80) worst = Math.max(worst, Math.abs(r.data[i] - expected[i]));
    expect(worst).toBeLessThanOrEqual(0.01);
  });
});

function hzToMelHtk(f: number) {
  return 2595 * Math.log10(1 + f / 700);
}
function hzToMelSlaney(f: number) {
  return f < 1000 ? (3 * f) / 200 : 15 + Math.log(f / 1000) / (Math.log(6.4) / 27);
}

describe('self-contained properties', () => {
  test.each(['htk', 'slaney'] as const)('%s filterbank peaks sit at the closed-form mel centre frequencies', (melScale) => {
    const o = resolveLogMelOptions({ preset: 'torchaudio', melScale, nFft: 2048, winLength: 2048, nMels: 40 });
    const fb = melFilterbank(o);
    const toMel = melScale === 'htk' ? hzToMelHtk : hzToMelSlaney;
    const mMax = toMel(o.fMax);
    const binHz = o.sampleRate / o.nFft;
    for (let m = 0; m < fb.nMels; m++) {
      let best = 0;
      for (let k = 1; k < fb.nFreqs; k++) if (fb.data[k * fb.nMels + m] > fb.data[best * fb.nMels + m]) best = k;
      // The peak bin is the one nearest to the (m+1)-th of nMels+2 equally spaced mel points.
      const centreMel = ((m + 1) * mMax) / (fb.nMels + 1);
      const centreHz = best * binHz;
      expect(Math.abs(toMel(centreHz) - centreMel)).toBeLessThan(toMel(centreHz + binHz) - toMel(centreHz));
      // Unnormalised triangles peak below or at 1.
      expect(fb.data[best * fb.nMels + m]).toBeLessThanOrEqual(1 + 1e-6);
    }
  });

  test('slaney norm makes each triangle integrate to 2/(f_right − f_left)·area = 1 (per Hz)', () => {
    const fb = melFilterbank({ preset: 'librosa', nFft: 4096, winLength: 4096, nMels: 20 });
    const binHz = 16000 / 4096;
    for (let m = 0; m < fb.nMels; m++) {
      let area = 0;
      for (let k = 0; k < fb.nFreqs; k++) area += fb.data[k * fb.nMels + m] * binHz;
      expect(area).toBeCloseTo(1, 1);
    }
  });

  test('a pure tone lands in the mel band whose centre is nearest to it', () => {
    const sr = 16000;
    const tone = new Float32Array(sr);
    for (const f of [300, 1000, 3000]) {
      for (let i = 0; i < sr; i++) tone[i] = 0.5 * Math.sin((2 * Math.PI * f * i) / sr);
      const r = logMel(tone, { preset: 'torchaudio', nMels: 64 });
      const mid = Math.floor(r.frames / 2);
      let best = 0;
      for (let m = 0; m < r.nMels; m++) if (r.data[m * r.frames + mid] > r.data[best * r.frames + mid]) best = m;
      const centreHz = 700 * (10 ** (((best + 1) * hzToMelHtk(8000)) / 65 / 2595) - 1);
      expect(Math.abs(hzToMelHtk(centreHz) - hzToMelHtk(f))).toBeLessThan(hzToMelHtk(8000) / 65);
    }
  });

  test('frame count is 1 + floor(len / hop) when centred, 1 + floor((len − nFft) / hop) when not', () => {
    for (const len of [401, 1000, 16000, 16123]) {
      const centred = logMel(new Float32Array(len).fill(0.1), { preset: 'torchaudio' });
      expect(centred.frames).toBe(1 + Math.floor(len / 200));
      const plain = logMel(new Float32Array(len).fill(0.1), { preset: 'torchaudio', center: false });
      expect(plain.frames).toBe(1 + Math.floor((len - 400) / 200));
      expect(frameCount(resolveLogMelOptions({ preset: 'torchaudio' }), len)).toBe(centred.frames);
    }
  });

  test('a batch of unequal lengths equals each clip computed alone', () => {
    const clips = [3000, 16000, 7777].map((n, j) => {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * (0.01 + 0.02 * j)) * (1 + 0.5 * Math.sin(i / 500)) + 0.01 * Math.cos(i * 1.3);
      return x;
    });
    for (const preset of ['torchaudio', 'librosa', 'default'] as const) {
      const batch = logMel(clips, { preset });
      clips.forEach((c, i) => {
        const alone = logMel(c, { preset });
        expect(batch[i].frames).toBe(alone.frames);
        let diff = 0;
        for (let k = 0; k < alone.data.length; k++) diff = Math.max(diff, Math.abs(batch[i].data[k] - alone.data[k]));
        expect(diff).toBeLessThan(1e-3);
      });
    }
  });

  test('bad input and impossible options are clear errors', () => {
    expect(() => logMel(new Float32Array(0))).toThrow(/signals\[0\] is empty/);
    expect(() => logMel(new Float32Array(100), { preset: 'torchaudio' })).toThrow(/reflect padding needs more than nFft\/2 = 200/);
    expect(() => logMel(new Float32Array(300), { preset: 'torchaudio', center: false })).toThrow(/fewer than nFft = 400/);
    const bad = new Float32Array(4000);
    bad[17] = NaN;
    expect(() => logMel([new Float32Array(4000), bad])).toThrow(/signals\[1\] contains NaN or Infinity/);
    bad[17] = Infinity;
    expect(() => logMel(bad)).toThrow(/NaN or Infinity/);
    expect(() => logMel(new Float32Array(4000), { nFft: 256, winLength: 400 })).toThrow(/winLength/);
    expect(() => logMel(new Float32Array(4000), { fMax: 9000 })).toThrow(/sampleRate\/2 \(8000\) for options\.fMax/);
    expect(() => logMel(new Float32Array(4000), { nMels: 0 })).toThrow(/nMels/);
    expect(() => logMel(new Float32Array(4000), { nfft: 512 } as never)).toThrow(/did you mean nFft/);
    expect(() => logMel([] as Float32Array[])).toThrow(/non-empty batch/);
    expect(() => logMel([1, 2, 3] as unknown as Float32Array)).toThrow(TypeError);
  });
});
