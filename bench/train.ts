// `npm run bench:train`: training throughput of the default model against Python PyTorch (same
// architecture, same step, same threads, measured in the same run), and warm predict() latency.
//   node dist/bench/train.js [--threads 2] [--samples 256] [--repeats 3] [--json]
// Python's side needs python3 with torch importable (PYTHONPATH may point at a pip --target folder).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { setNumThreads } from '../lib/device';
import { info } from '../lib/info';
import { defaultTrainConfig } from '../lib/model/config';
import { NativeModel } from '../lib/model/native-model';
import { saveBundle } from '../lib/model/bundle';
import { windowFrames } from '../lib/model/features';
import { loadModel } from '../lib/model/model';
import { encodeWav } from '../lib/audio/wav';

async function main(): Promise<void> {
  const a = yargs(hideBin(process.argv))
    .usage('$0 [--threads 2] [--samples 256] [--repeats 3] [--json]\n\nTraining throughput of the default model against Python PyTorch (same step, same threads), and warm predict() latency.')
    .option('threads', { type: 'number', default: 2, describe: 'LibTorch (and PyTorch) intra-op threads' })
    .option('samples', { type: 'number', default: 256, describe: 'training windows per timed epoch' })
    .option('repeats', { type: 'number', default: 3, describe: 'timed epochs (the median is reported)' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .check((x) => {
      for (const k of ['threads', 'samples', 'repeats'] as const) if (!Number.isInteger(x[k]) || x[k] < 1) throw new Error(`--${k} must be a positive integer, got ${x[k]}`);
      return true;
    })
    .strict()
    .help()
    .parseSync();
  const { json, threads, samples, repeats } = a;
  setNumThreads(threads);
  const c = defaultTrainConfig();
  const nMels = c.features.logMel.nMels;
  const frames = windowFrames(c.features);
  const nClasses = 8;
  const net = new NativeModel(c.architecture, nMels, nClasses, 'cpu', 1);
  net.configureOptimizer(c.optimizer, null);
  const x = new Float32Array(samples * nMels * frames);
  for (let i = 0; i < x.length; i++) x[i] = Math.random() * 20 - 50;
  const y = Int32Array.from({ length: samples }, (_, i) => i % nClasses);
  const req = { batchSize: 32, seed: 1, freqMasks: 0, freqMaskWidth: 0, timeMasks: 0, timeMaskWidth: 0, mixupAlpha: 0 };
  await net.trainEpoch(x, y, frames, req); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    await net.trainEpoch(x, y, frames, { ...req, seed: r + 2 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const ours = samples / times[Math.floor(times.length / 2)];

  const py = spawnSync('python3', [path.join(__dirname, '..', '..', 'bench', 'train_python.py'), JSON.stringify({ threads, samples, repeats, frames, nMels, nClasses, batchSize: 32, architecture: c.architecture })], { encoding: 'utf8' });
  let python: { samplesPerSecond: number; torch: string } | null = null;
  if (py.status === 0) python = JSON.parse(py.stdout.trim().split('\n').pop()!);

  // predict() latency on a 3.5 s WAV file (48 kHz stereo, as RAVDESS's originals), warm.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-'));
  saveBundle(path.join(dir, 'model'), { labels: ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'], features: c.features, architecture: c.architecture, versions: { package: info().version, libtorch: info().libtorch.version } }, net.getState());
  const sr = 48000;
  const wave = new Float32Array(Math.round(3.5 * sr));
  for (let i = 0; i < wave.length; i++) wave[i] = 0.3 * Math.sin((2 * Math.PI * 180 * i) / sr) * (1 + Math.sin(i / 4000)) + 0.01 * (Math.random() - 0.5);
  const wavPath = path.join(dir, 'clip.wav');
  fs.writeFileSync(wavPath, encodeWav(wave, sr));
  const model = loadModel(path.join(dir, 'model'));
  for (let i = 0; i < 20; i++) model.predict(wavPath);
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    model.predict(wavPath);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((a, b) => a - b);
  fs.rmSync(dir, { recursive: true, force: true });
  const result = {
    threads,
    batchSize: 32,
    input: `[${nMels} mels × ${frames} frames]`,
    trainSamplesPerSecond: ours,
    pythonTorchSamplesPerSecond: python?.samplesPerSecond ?? null,
    ratioVsPythonTorch: python ? ours / python.samplesPerSecond : null,
    predictMs: { median: lat[100], p90: lat[180] },
    pythonNote: python ? `torch ${python.torch}` : `python3 torch unavailable (${(py.stderr || '').trim().split('\n').pop()})`,
  };
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  process.stdout.write(`training, default model, batch 32, ${threads} threads, input ${result.input}\n`);
  process.stdout.write(`  ser-native (LibTorch)   ${ours.toFixed(1)} samples/s\n`);
  if (python) process.stdout.write(`  Python PyTorch ${python.torch.padEnd(8)} ${python.samplesPerSecond.toFixed(1)} samples/s   ratio ${(ours / python.samplesPerSecond).toFixed(2)}x (target >= 1.0)\n`);
  else process.stdout.write(`  Python PyTorch: ${result.pythonNote}\n`);
  process.stdout.write(`predict() on a 3.5 s 48 kHz WAV file, warm: median ${lat[100].toFixed(2)} ms, p90 ${lat[180].toFixed(2)} ms (target <= 6 / 10 ms)\n`);
}

main().catch((e) => {
  process.stderr.write(`bench:train failed: ${(e as Error).message}\n`);
  process.exit(1);
});
