// `ser-native features`: command-line words parsed by yargs with the real command definition,
// then run in-process on WAV files written with wavefile (and on a RAVDESS recording if present).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import yargs from 'yargs';
import { WaveFile } from 'wavefile';
import { FeaturesArgs, featuresCommand, runFeatures } from '../../bin/commands/features';
import { PRESETS } from '../../lib/features/options';

const ravdess = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'ravdess', 'Actor_01', '03-01-05-02-01-01-01.wav');
const haveRavdess = fs.existsSync(ravdess);
if (!haveRavdess) console.warn(`skipping the RAVDESS check of ser-native features: ${ravdess} is missing (../shared/data sits beside the project in the dev setup)`);

let dir: string;
let tone: string;

/** Parse words with the command's own builder (handler replaced), then run it with captured output. */
async function run(words: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let args: FeaturesArgs | undefined;
  await yargs(['features', ...words])
    .command({ ...featuresCommand, handler: (a) => void (args = a) })
    .strict()
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  let stdout = '';
  let stderr = '';
  const code = await runFeatures(args!, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const slaneyMel = (f: number) => (f < 1000 ? (3 * f) / 200 : 15 + Math.log(f / 1000) / (Math.log(6.4) / 27));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-features-'));
  // 1 s of a 1 kHz tone at 44.1 kHz, stereo 16-bit: exercises channel averaging and resampling.
  const n = 44100;
  const ch = Array.from({ length: n }, (_, i) => Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * 1000 * i) / 44100)));
  const wav = new WaveFile();
  wav.fromScratch(2, 44100, '16', [ch, ch]);
  tone = path.join(dir, 'tone.wav');
  fs.writeFileSync(tone, wav.toBuffer());
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ser-native features on a generated WAV', () => {
  test('summary: shape, rates and dB statistics', async () => {
    const r = await run([tone, '--device', 'cpu']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/1 s, 44100 Hz, resampled to 16000 Hz, 2 channel\(s\), 16-bit pcm/);
    expect(r.stdout).toMatch(/64 mels x 101 frames \(preset default/); // 1 + 16000/160 frames
    expect(r.stdout).toMatch(/^dB +min -?[\d.]+, max -?[\d.]+, mean -?[\d.]+$/m);
  });

  test('.f32 is float32 [nMels, frames] with the tone in the mel band holding 1 kHz', async () => {
    const out = path.join(dir, 'tone.f32');
    const r = await run([tone, '--device', 'cpu', '--out', out]);
    expect(r.code).toBe(0);
    const data = readF32(out);
    const nMels = 64;
    const frames = 101;
    expect(data.length).toBe(nMels * frames);
    // Loudest band averaged over frames vs. the band whose slaney centre is nearest 1 kHz.
    const mean = (m: number) => data.subarray(m * frames, (m + 1) * frames).reduce((a, b) => a + b, 0) / frames;
    let loudest = 0;
    for (let m = 1; m < nMels; m++) if (mean(m) > mean(loudest)) loudest = m;
    const lo = slaneyMel(20);
    const step = (slaneyMel(8000) - lo) / (nMels + 1);
    const expected = Math.round((slaneyMel(1000) - lo) / step) - 1; // band m is centred on point m + 1
    expect(Math.abs(loudest - expected)).toBeLessThanOrEqual(1);
    expect(mean(loudest) - mean(nMels - 1)).toBeGreaterThan(40); // far above the empty top band
  });

  test('.json holds the options, shape and the same values as .f32; --json prints only one object', async () => {
    const f32 = path.join(dir, 'same.f32');
    await run([tone, '--device', 'cpu', '--out', f32]);
    const out = path.join(dir, 'sub', 'tone.json'); // missing folders are created
    const r = await run([tone, '--device', 'cpu', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout); // throws if anything else was printed
    const file = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(file.options).toEqual({ ...PRESETS.default, preset: 'default' });
    expect([file.nMels, file.frames, file.data.length, file.data[0].length]).toEqual([64, 101, 64, 101]);
    const raw = readF32(f32);
    let worst = 0;
    for (let m = 0; m < 64; m++) for (let t = 0; t < 101; t++) worst = Math.max(worst, Math.abs(file.data[m][t] - raw[m * 101 + t]));
    expect(worst).toBeLessThanOrEqual(5e-5);
    expect(summary).toMatchObject({ file: tone, preset: 'default', device: 'cpu', nMels: 64, frames: 101, audio: { sampleRate: 44100, channels: 2, resampledTo: 16000 }, output: { path: out } });
    expect(summary.stats.max).toBeCloseTo(Math.max(...raw), 4);
    expect(summary.stats.min).toBeCloseTo(Math.min(...raw), 4);
  });

  test('.png is a PNG of frames × nMels pixels, scaled by --scale', async () => {
    const out = path.join(dir, 'tone.png');
    const r = await run([tone, '--device', 'cpu', '--preset', 'torchaudio', '--out', out, '--scale', '2x3', '--json']);
    expect(r.code).toBe(0);
    const png = fs.readFileSync(out);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // torchaudio preset: 128 mels, hop 200 → 81 frames per second at 16 kHz.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([81 * 2, 128 * 3]);
    expect(JSON.parse(r.stdout).output).toMatchObject({ width: 162, height: 384 });
    const idat = png.indexOf('IDAT', 8, 'latin1');
    expect(zlib.inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4))).length).toBe((162 * 3 + 1) * 384);
  });

  test('log-mel flags reach the kernel (--no-center, --top-db none, --n-mels, --sample-rate)', async () => {
    const r = await run([tone, '--device', 'cpu', '--json', '--no-center', '--top-db', 'none', '--n-mels', '40', '--sample-rate', '8000']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.options).toMatchObject({ center: false, topDb: null, nMels: 40, sampleRate: 8000, fMax: 4000 });
    // No centring, hop still 160: 1 + floor((8000 - 512) / 160) frames.
    expect([s.nMels, s.frames, s.audio.resampledTo]).toEqual([40, 47, 8000]);
  });
});

describe('ser-native features errors: exit code 1 (bad recording) or 2 (bad flags), one error line naming the problem and a hint', () => {
  test.each([
    ['a missing file', () => [path.join(dir, 'nope.wav')], 1, 'ERR_DATA', /nope\.wav: cannot read file/],
    ['a file that is not a WAV', () => [path.join(dir, 'notes.txt')], 1, 'ERR_DATA', /notes\.txt: not a WAV file/],
    ['an unknown --out extension', () => [tone, '--out', path.join(dir, 'x.bmp')], 2, 'ERR_USAGE', /unknown extension '\.bmp'; use \.png .*\.f32 .*\.json/],
    ['an invalid option value', () => [tone, '--n-mels', '0'], 2, 'ERR_ARGUMENT', /positive integer for --n-mels/],
    ['a window longer than the FFT', () => [tone, '--win-length', '1024'], 2, 'ERR_ARGUMENT', /nFft \(512\) for --win-length/],
    ['--scale without a .png', () => [tone, '--scale', '2'], 2, 'ERR_USAGE', /only apply to a \.png --out/],
    ['a clip too short for the padding', () => [path.join(dir, 'short.wav')], 1, 'ERR_DATA', /short\.wav: 100 samples at 16000 Hz is too short for one frame \(needs 257 for reflect padding\); use a longer clip/],
  ])('%s', async (_name, words, exit, code, message) => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not audio\n');
    const short = new WaveFile();
    short.fromScratch(1, 16000, '16', new Array(100).fill(1000));
    fs.writeFileSync(path.join(dir, 'short.wav'), short.toBuffer());
    const r = await run([...words(), '--device', 'cpu']);
    expect(r.code).toBe(exit);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`ser-native features: error [${code}]: `)).toBe(true);
    expect(r.stderr).toMatch(message);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^hint: /);
  });

  test('an unknown extension writes nothing', async () => {
    await run([tone, '--out', path.join(dir, 'nothing.bmp')]);
    expect(fs.existsSync(path.join(dir, 'nothing.bmp'))).toBe(false);
  });
});

(haveRavdess ? describe : describe.skip)('ser-native features on a RAVDESS recording', () => {
  test('48 kHz angry speech: 4.1 s → 64 × 411; loud speech frames over quiet ones, low bands over high', async () => {
    const out = path.join(dir, 'ravdess.f32');
    const r = await run([ravdess, '--device', 'cpu', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.audio).toMatchObject({ sampleRate: 48000, resampledTo: 16000 });
    expect(s.audio.duration).toBeCloseTo(4.104, 2);
    expect([s.nMels, s.frames]).toEqual([64, 411]);
    expect(s.stats.max - s.stats.min).toBeCloseTo(80, 3); // top_db 80 clamps each utterance
    const data = readF32(out);
    const [M, F] = [64, 411];
    const frameMean = Array.from({ length: F }, (_, t) => Array.from({ length: M }, (_, m) => data[m * F + t]).reduce((a, b) => a + b) / M);
    const order = [...frameMean.keys()].sort((a, b) => frameMean[a] - frameMean[b]);
    const quiet = order.slice(0, Math.floor(F / 4));
    const loud = order.slice(-Math.floor(F / 4));
    const avg = (frames: number[], m0: number, m1: number) => {
      let sum = 0;
      for (const t of frames) for (let m = m0; m < m1; m++) sum += data[m * F + t];
      return sum / (frames.length * (m1 - m0));
    };
    // The leading and trailing silence of RAVDESS clips vs. the spoken sentence.
    expect(avg(loud, 0, M) - avg(quiet, 0, M)).toBeGreaterThan(20);
    // While speaking, the lowest 16 bands (< ~800 Hz: pitch harmonics, first formant) beat the top 16 (> ~3.5 kHz).
    expect(avg(loud, 0, 16) - avg(loud, 48, 64)).toBeGreaterThan(5);
  });
});
