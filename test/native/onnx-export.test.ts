// ONNX export (lib/export/onnx.ts) run in onnxruntime-node against ser-native's own probabilities:
// untrained and trained bundles, every pooling/activation, an ensemble with a temperature, real clips.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runOrt } from '../helpers/ort';
import { exportOnnx, decodeOnnx, MIN_OPSET } from '../../lib/export/onnx';
import { loadModel } from '../../lib/model/model';
import { saveBundle, readBundle } from '../../lib/model/bundle';
import { decodeAudio } from '../../lib/audio/decode';
import { DeepPartial, TrainConfig } from '../../lib/model/config';
import { untrainedBundle } from '../helpers/bundles';
import { demo, fixed } from '../helpers/tiny-recipe';
import { train } from '../../lib/train/train';
import { HAVE_SHARED_DATA, SAMPLE_CLIPS } from '../helpers/shared-data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-onnx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const labels = ['neutral', 'happy', 'sad', 'angry'];
const SMALL: DeepPartial<TrainConfig> = { features: { clipSeconds: 1, windowHopSeconds: 0.5 }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 2 } };

/** A deterministic speech-like clip of exactly `n` samples. */
function clip(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (110 + 30 * seed) * (1 + 0.15 * Math.sin(i * 0.0004 * (seed + 1)))) / 16000;
    x[i] = 0.25 * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.2 * Math.sin(5 * phase)) * (0.5 + 0.5 * Math.sin(i * 0.0009 + seed)) + 0.003 * Math.sin(i * 2.1 * (seed + 1));
  }
  return x;
}

async function runOnnx(file: string, name: string, data: Float32Array, dims: number[]): Promise<Float32Array> {
  return Float32Array.from(runOrt(file, name, data, dims).probabilities);
}

/** Exports `dir`, runs a batch of one-window clips through ONNX and through ser-native; max |difference|. */
async function parity(dir: string, clips: Float32Array[], opset = MIN_OPSET): Promise<number> {
  const file = path.join(tmp, `${path.basename(dir)}-${opset}.onnx`);
  const r = exportOnnx(dir, file, { opset });
  const n = r.input.shape[1] as number;
  const batch = new Float32Array(clips.length * n);
  clips.forEach((c, i) => batch.set(c.subarray(0, n), i * n));
  const onnx = await runOnnx(file, 'samples', batch, [clips.length, n]);
  const ours = loadModel(dir).probabilities(clips.map((c) => c.subarray(0, n)));
  expect(onnx.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(onnx[i] - ours[i]));
  // Probabilities far from uniform, so agreement to 1e-4 means something.
  expect(Math.max(...ours) - Math.min(...ours)).toBeGreaterThan(0.02);
  return worst;
}

test.each([
  ['mean pooling, relu, bidirectional 2 layers', {}],
  ['last pooling, elu, one direction', { architecture: { pooling: 'last', activation: 'elu', bidirectional: false } }],
  ['attention pooling, gelu', { architecture: { pooling: 'attention', activation: 'gelu' } }],
  // Kernels of 3 and 1 over odd map sizes (64 mels, 101 frames): ser-native pools with strided maxima, onnxruntime with MaxPool.
  ['pooling kernels 3 and 1, odd map sizes', { architecture: { poolFreq: [3, 2, 1, 2], poolTime: [3, 1, 2, 2] } }],
  ['per-utterance CMVN (utteranceStd)', { features: { utteranceStd: true } }],
  ['no utterance norm, no top_db, power 1, constant padding', { features: { utteranceNorm: false, logMel: { topDb: null, power: 1, padMode: 'constant' } } }],
] as [string, DeepPartial<TrainConfig>][])('raw samples → probabilities match ser-native within 1e-4: %s', async (name, over) => {
  const dir = path.join(tmp, name.replace(/[^a-z0-9]+/gi, '-'));
  untrainedBundle(dir, labels, 11, { ...SMALL, ...over, features: { ...SMALL.features, ...over.features }, architecture: { ...SMALL.architecture, ...over.architecture } });
  // Non-trivial batch-norm statistics and normalisation, so the folding and normalisation are tested.
  const { meta, members } = readBundle(dir);
  const state = members[0].state.map((t) => {
    const data = Float32Array.from(t.data);
    if (/running_mean|feat_mean/.test(t.name)) data.forEach((_, i) => (data[i] = /feat/.test(t.name) ? -40 + i * 0.3 : 0.1 * Math.sin(i)));
    if (/running_var|feat_std/.test(t.name)) data.forEach((_, i) => (data[i] = /feat/.test(t.name) ? 12 + (i % 5) : 0.5 + 0.3 * Math.cos(i)));
    return { ...t, data };
  });
  saveBundle(dir, { labels: meta.labels, features: meta.features, architecture: meta.architecture, versions: meta.versions }, state);
  expect(await parity(dir, [clip(16000, 1), clip(16000, 2), clip(16000, 3)])).toBeLessThan(1e-4);
});

test('an ensemble with a temperature: members averaged and calibrated in the graph', async () => {
  const a = path.join(tmp, 'ens-a');
  const b = path.join(tmp, 'ens-b');
  untrainedBundle(a, labels, 21, SMALL);
  untrainedBundle(b, labels, 22, { ...SMALL, architecture: { ...SMALL.architecture, pooling: 'last' } });
  const ma = readBundle(a);
  const mb = readBundle(b);
  const dir = path.join(tmp, 'ensemble');
  saveBundle(
    dir,
    { labels, features: ma.meta.features, architecture: ma.meta.architecture, versions: ma.meta.versions, calibration: { method: 'temperature', temperature: 0.5, fittedOn: 'test', n: 1, nllBefore: 1, nllAfter: 1, eceBefore: 0, eceAfter: 0 } },
    [
      { name: 'a', architecture: ma.meta.architecture, state: ma.members[0].state },
      { name: 'b', architecture: mb.meta.architecture, state: mb.members[0].state },
    ],
  );
  const model = loadModel(dir);
  expect(model.members).toBe(2);
  expect(await parity(dir, [clip(16000, 4), clip(16000, 5)])).toBeLessThan(1e-4);
  const r = exportOnnx(dir, path.join(tmp, 'ens.onnx'));
  expect(r.members).toBe(2);
  expect(r.temperature).toBe(0.5);
});

test('a freshly trained demo model (synthetic corpus, 10 epochs): ONNX matches ser-native within 1e-4', async () => {
  const out = path.join(tmp, 'trained');
  await train({ demo, demoDir: path.join(tmp, 'demo'), seed: 2, device: 'cpu', epochs: 10, out, config: { ...fixed, batchSize: 16, optimizer: { lr: 5e-3 } } });
  const clips = fs
    .readdirSync(path.join(tmp, 'demo'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.wav'))
    .slice(0, 4)
    .map((f) => {
      const x = decodeAudio(path.join(tmp, 'demo', f), 16000);
      const c = new Float32Array(16000);
      c.set(x.subarray(0, 16000));
      return c;
    });
  expect(clips).toHaveLength(4);
  expect(await parity(path.join(out, 'model'), clips)).toBeLessThan(1e-4);
}, 300000);

test('--no-features: the network alone on log-mel input', async () => {
  const dir = path.join(tmp, 'nofeat');
  untrainedBundle(dir, labels, 31, SMALL);
  const file = path.join(tmp, 'nofeat.onnx');
  const r = exportOnnx(dir, file, { features: false });
  expect(r.input.name).toBe('logmel');
  const [, nMels, frames] = r.input.shape as [string, number, number];
  const x = new Float32Array(2 * nMels * frames).map((_, i) => 10 * Math.sin(i * 0.37) - 5);
  const onnx = await runOnnx(file, 'logmel', x, [2, nMels, frames]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NativeModel } = require('../../lib/model/native-model');
  const { meta, members } = readBundle(dir);
  const net = new NativeModel(meta.architecture, nMels, labels.length, 'cpu', 0);
  net.setState(members[0].state);
  const ours: Float32Array = net.predict(x, 2, frames);
  for (let i = 0; i < ours.length; i++) expect(Math.abs(onnx[i] - ours[i])).toBeLessThan(1e-4);
});

test('structure: opset, named input/output with shapes, labels and feature settings in metadata_props', () => {
  const dir = path.join(tmp, 'structure');
  untrainedBundle(dir, labels, 41, SMALL);
  const file = path.join(tmp, 'structure.onnx');
  exportOnnx(dir, file, { opset: 18 });
  const m = decodeOnnx(fs.readFileSync(file)) as any;
  expect(m.opsetImport).toEqual([{ domain: '', version: 18 }]);
  expect(m.producerName).toBe('ser-native');
  expect(m.graph.input.map((i: any) => i.name)).toEqual(['samples']);
  expect(m.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 16000 }]);
  expect(m.graph.output.map((o: any) => o.name)).toEqual(['probabilities']);
  expect(m.graph.output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 4 }]);
  const props = Object.fromEntries(m.metadataProps.map((p: any) => [p.key, p.value]));
  expect(JSON.parse(props.labels)).toEqual(labels);
  expect(props.sample_rate).toBe('16000');
  expect(JSON.parse(props.log_mel)).toEqual(readBundle(dir).meta.features.logMel);
  expect(props.utterance_norm).toBe('true');
  expect(m.graph.node.map((n: any) => n.opType)).toEqual(expect.arrayContaining(['STFT', 'Conv', 'LSTM', 'MaxPool', 'Gemm', 'Softmax']));
  expect(m.graph.node.map((n: any) => n.opType)).not.toContain('BatchNormalization'); // folded into Conv
  expect(() => exportOnnx(dir, file, { opset: 13 })).toThrow(/opset/);
});

(HAVE_SHARED_DATA ? test : test.skip)('real clips (RAVDESS, SAVEE) at the default architecture: ONNX matches ser-native within 1e-4', async () => {
  const dir = path.join(tmp, 'default-arch');
  untrainedBundle(dir, labels, 51, { features: { clipSeconds: 3 } });
  const clips = SAMPLE_CLIPS.map((f) => {
    const x = decodeAudio(f, 16000);
    const n = 48000;
    const out = new Float32Array(n);
    out.set(x.subarray(0, n));
    return out;
  });
  expect(await parity(dir, clips)).toBeLessThan(1e-4);
}, 120000);
