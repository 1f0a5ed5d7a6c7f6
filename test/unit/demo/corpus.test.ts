import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWav } from '../../../lib/audio/wav';
import {
  defaultDemoDir,
  DEMO_EMOTIONS,
  demoFilePath,
  emotionProfile,
  ensureDemoCorpus,
  generateDemoClip,
  generateDemoCorpus,
  MANIFEST_NAME,
  planDemoCorpus,
  PROFILES,
  utteranceParams,
} from '../../../lib/demo';
import { clipFeatures } from './clip-features';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-demo-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const small = { actors: 2, emotions: ['neutral', 'angry', 'sad'] as const, statements: 1, repetitions: 2 };
const smallOptions = { ...small, emotions: [...small.emotions] };

describe('generateDemoCorpus', () => {
  test('RAVDESS layout and names; neutral has no strong intensity; 16 kHz 16-bit mono clips', () => {
    const c = generateDemoCorpus(path.join(tmp, 'layout'), smallOptions);
    const rel = c.files.map((f) => path.relative(c.dir, f).split(path.sep).join('/'));
    // 2 actors x (neutral 1 intensity + angry, sad 2 intensities) x 1 statement x 2 repetitions
    expect(rel).toHaveLength(2 * 5 * 2);
    expect(rel).toContain('Actor_01/03-01-01-01-01-02-01.wav');
    expect(rel).toContain('Actor_02/03-01-05-02-01-01-02.wav');
    expect(rel.some((f) => /03-01-01-02-/.test(f))).toBe(false);
    for (const f of rel) expect(f).toMatch(/^Actor_(\d\d)\/03-01-0[145]-0[12]-01-0[12]-\1\.wav$/);
    let total = 0;
    for (const f of c.files) {
      const a = readWav(f);
      expect(a).toMatchObject({ sampleRate: 16000, channels: 1, bitDepth: 16, format: 'pcm' });
      expect(a.duration).toBeGreaterThan(2);
      expect(a.duration).toBeLessThan(5);
      let peak = 0;
      for (let i = 0; i < a.samples.length; i++) peak = a.samples[i] > peak ? a.samples[i] : -a.samples[i] > peak ? -a.samples[i] : peak;
      expect(peak).toBeGreaterThan(0.01);
      expect(peak).toBeLessThan(1);
      total += a.duration;
    }
    expect(c.seconds).toBeCloseTo(total, 6);
    const manifest = JSON.parse(fs.readFileSync(path.join(c.dir, MANIFEST_NAME), 'utf8'));
    expect(manifest.files).toEqual(rel);
  });

  test('same seed -> byte-identical files; another seed -> different audio', () => {
    const a = generateDemoCorpus(path.join(tmp, 'a'), { ...smallOptions, seed: 5 });
    const b = generateDemoCorpus(path.join(tmp, 'b'), { ...smallOptions, seed: 5 });
    const c = generateDemoCorpus(path.join(tmp, 'c'), { ...smallOptions, seed: 6 });
    const rel = (d: { dir: string; files: string[] }) => d.files.map((f) => path.relative(d.dir, f));
    expect(rel(b)).toEqual(rel(a));
    a.files.forEach((f, i) => expect(fs.readFileSync(b.files[i]).equals(fs.readFileSync(f))).toBe(true));
    expect(fs.readFileSync(c.files[0]).equals(fs.readFileSync(a.files[0]))).toBe(false);
  });

  test('a clip does not depend on which other clips are generated', () => {
    const spec = { actor: 2, emotion: 'sad' as const, intensity: 2 as const, statement: 1 as const, repetition: 2 };
    const alone = generateDemoClip(spec, { seed: 5 });
    const fromCorpus = readWav(path.join(tmp, 'a', demoFilePath(spec))).samples;
    expect(fromCorpus.length).toBe(alone.length);
    let worst = 0;
    for (let i = 0; i < alone.length; i++) worst = Math.max(worst, Math.abs(fromCorpus[i] - alone[i]));
    expect(worst).toBeLessThanOrEqual(1 / 32768); // 16-bit quantisation only
  });

  test('rejects bad options with clear errors', () => {
    expect(() => planDemoCorpus({ emotions: ['bored' as never] })).toThrow(/unknown demo emotion 'bored'/);
    expect(() => planDemoCorpus({ statements: 3 })).toThrow(/statements must be 1 or 2/);
    expect(() => planDemoCorpus({ intensities: [3 as never] })).toThrow(/intensities/);
    expect(() => planDemoCorpus({ actors: 0 })).toThrow(/actor count/);
    expect(() => planDemoCorpus({ seconds: 0.1 })).toThrow(/seconds/);
  });

  test('full default plan has 60 clips per actor, like RAVDESS', () => {
    const plan = planDemoCorpus();
    expect(plan).toHaveLength(8 * 60);
    expect(new Set(plan.map(demoFilePath)).size).toBe(plan.length);
  });
});

describe('speakers and emotions', () => {
  test('odd actors are male (F0 85-155 Hz), even actors female (165-255 Hz)', () => {
    for (const actor of [1, 2, 3, 4, 5, 6, 7, 8, 23, 24]) {
      for (const emotion of DEMO_EMOTIONS) {
        for (const intensity of [1, 2] as const) {
          const p = utteranceParams(1, { actor, emotion, intensity, statement: 1, repetition: 1 });
          const [lo, hi] = actor % 2 === 1 ? [85, 155] : [165, 255];
          expect(p.f0Hz).toBeGreaterThanOrEqual(lo);
          expect(p.f0Hz).toBeLessThanOrEqual(hi);
        }
      }
    }
  });

  test('the synthesised pitch is the planned one (autocorrelation estimate)', () => {
    for (const actor of [1, 2]) {
      const spec = { actor, emotion: 'neutral' as const, intensity: 1 as const, statement: 1 as const, repetition: 1 };
      const planned = utteranceParams(1, spec).f0Hz;
      const measured = 100 * 2 ** (clipFeatures(generateDemoClip(spec))[3] / 12);
      expect(Math.abs(12 * Math.log2(measured / planned))).toBeLessThan(2.5); // semitones
    }
  });

  test('strong intensity moves every cue further from neutral', () => {
    const n = PROFILES.neutral;
    for (const e of DEMO_EMOTIONS.filter((x) => x !== 'neutral')) {
      const normal = emotionProfile(e, 1);
      const strong = emotionProfile(e, 2);
      for (const cue of Object.keys(n) as (keyof typeof n)[]) {
        expect(Math.abs(strong[cue] - n[cue])).toBeGreaterThanOrEqual(Math.abs(normal[cue] - n[cue]));
      }
    }
  });

  test('emotions differ on several measured cues in the expected directions', () => {
    // Mean over 4 actors x 2 repetitions of strong renditions.
    const measure = (emotion: (typeof DEMO_EMOTIONS)[number]) => {
      const acc = { level: 0, f0: 0, seconds: 0 };
      let n = 0;
      for (const actor of [1, 2, 3, 4]) {
        for (const repetition of [1, 2]) {
          const spec = { actor, emotion, intensity: (emotion === 'neutral' ? 1 : 2) as 1 | 2, statement: 2 as const, repetition };
          const x = generateDemoClip(spec, { seconds: 0.5 }); // minimal silence: length ~ speech duration
          const f = clipFeatures(x);
          acc.level += f[0];
          acc.f0 += f[3];
          acc.seconds += x.length / 16000;
          n++;
        }
      }
      return { level: acc.level / n, f0: acc.f0 / n, seconds: acc.seconds / n };
    };
    const angry = measure('angry');
    const sad = measure('sad');
    const neutral = measure('neutral');
    expect(angry.level).toBeGreaterThan(neutral.level + 4);
    expect(sad.level).toBeLessThan(neutral.level - 3);
    expect(angry.f0).toBeGreaterThan(neutral.f0 + 2);
    expect(sad.f0).toBeLessThan(neutral.f0);
    expect(sad.seconds).toBeGreaterThan(neutral.seconds * 1.15);
    expect(angry.seconds).toBeLessThan(neutral.seconds);
  });
});

describe('ensureDemoCorpus', () => {
  test('generates once, then reuses; a leftover temp folder is not mistaken for a corpus', () => {
    const dir = path.join(tmp, 'cache', 'demo-v1');
    fs.mkdirSync(`${dir}.tmp-99999-interrupted`, { recursive: true }); // an interrupted run
    const first = ensureDemoCorpus(dir, { ...smallOptions, actors: 1 });
    expect(first.reused).toBe(false);
    expect(first.dir).toBe(dir);
    expect(first.files).toHaveLength(10);
    expect(first.files.every((f) => f.startsWith(dir + path.sep) && fs.existsSync(f))).toBe(true);
    const mtime = fs.statSync(first.files[0]).mtimeMs;
    const second = ensureDemoCorpus(dir, { ...smallOptions, actors: 1 });
    expect(second).toEqual({ ...first, reused: true });
    expect(fs.statSync(first.files[0]).mtimeMs).toBe(mtime);
    // Only our own temp folder was removed (the foreign one is recent, so it is left alone).
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(['demo-v1', 'demo-v1.tmp-99999-interrupted']);
  });

  test('an existing empty folder is filled', () => {
    const dir = path.join(tmp, 'empty');
    fs.mkdirSync(dir);
    const c = ensureDemoCorpus(dir, { ...smallOptions, actors: 1, emotions: ['calm'] });
    expect(c.reused).toBe(false);
    expect(c.files).toHaveLength(4);
    expect(fs.existsSync(path.join(dir, MANIFEST_NAME))).toBe(true);
  });

  test('refuses folders it did not make, made with other options, or incomplete', () => {
    const foreign = path.join(tmp, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'x.txt'), 'hi');
    expect(() => ensureDemoCorpus(foreign, smallOptions)).toThrow(new RegExp(`${foreign}.*no ${MANIFEST_NAME}`));
    const dir = path.join(tmp, 'cache2');
    ensureDemoCorpus(dir, { ...smallOptions, actors: 1 });
    expect(() => ensureDemoCorpus(dir, { ...smallOptions, actors: 1, seed: 2 })).toThrow(/other settings/);
    fs.rmSync(path.join(dir, 'Actor_01', '03-01-05-02-01-01-01.wav'));
    expect(() => ensureDemoCorpus(dir, { ...smallOptions, actors: 1 })).toThrow(/incomplete .*03-01-05-02-01-01-01\.wav is missing/);
  });

  test('default folder follows SER_NATIVE_HOME', () => {
    const saved = process.env.SER_NATIVE_HOME;
    try {
      process.env.SER_NATIVE_HOME = path.join(tmp, 'home');
      expect(defaultDemoDir()).toBe(path.join(tmp, 'home', 'demo-v1'));
      delete process.env.SER_NATIVE_HOME;
      expect(defaultDemoDir()).toBe(path.join(os.homedir(), '.cache', 'ser-native', 'demo-v1'));
    } finally {
      if (saved === undefined) delete process.env.SER_NATIVE_HOME;
      else process.env.SER_NATIVE_HOME = saved;
    }
  });
});
