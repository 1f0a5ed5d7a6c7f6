// Prediction in bfloat16 (issue 26, item 4): loadModel(dir, { precision: 'bfloat16' }) runs the
// inference network on bfloat16 copies of the weights (native/inference_net.cc). Checked against the
// float32 path on the shipped model (real weights) and on the architectures whose modules are copied
// (attention pooling, one direction), plus the argument errors at each layer.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';
import { NativeModel } from '../../lib/model/native-model';
import { defaultModelDir } from '../../lib/model/default-model';
import { untrainedBundle } from '../helpers/bundles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-precision-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Speech-like clips of `seconds` at 16 kHz, different per seed. */
function clips(count: number, seconds: number): Float32Array[] {
  return Array.from({ length: count }, (_, c) => {
    const x = new Float32Array(Math.round(seconds * 16000));
    let phase = 0;
    for (let i = 0; i < x.length; i++) {
      phase += (2 * Math.PI * (100 + 25 * c) * (1 + 0.2 * Math.sin(i * 0.0003 * (c + 1)))) / 16000;
      x[i] = 0.3 * (Math.sin(phase) + 0.4 * Math.sin(3 * phase)) * (0.5 + 0.5 * Math.sin(i * 0.0011 + c)) + 0.004 * Math.sin(i * 1.9 * (c + 1));
    }
    return x;
  });
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('the shipped model in bfloat16: probabilities within 0.02 of float32, not bit-identical, the same precision reported', () => {
  const f32 = loadModel(defaultModelDir({ mustExist: true }));
  const bf16 = loadModel(defaultModelDir({ mustExist: true }), { precision: 'bfloat16' });
  expect(f32.precision).toBe('float32');
  expect(bf16.precision).toBe('bfloat16');
  const x = clips(6, 3.5);
  const a = f32.probabilities(x);
  const b = bf16.probabilities(x);
  const d = maxDiff(a, b);
  expect(d).toBeGreaterThan(0); // bfloat16 really ran
  expect(d).toBeLessThan(0.02);
});

test.each([
  ['attention pooling, gelu', { pooling: 'attention', activation: 'gelu' }],
  ['last pooling, one direction, elu', { pooling: 'last', bidirectional: false, activation: 'elu' }],
] as const)('%s: bfloat16 within 0.02 of float32; back to float32 gives the float32 result bit for bit', (name, arch) => {
  const dir = path.join(tmp, name.replace(/[^a-z0-9]+/gi, '-'));
  untrainedBundle(dir, ['neutral', 'happy', 'sad', 'angry'], 7, { features: { clipSeconds: 1, windowHopSeconds: 0.5 }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 16, lstmLayers: 2, ...arch } });
  const x = clips(4, 1.5);
  const a = loadModel(dir).probabilities(x);
  const b = loadModel(dir, { precision: 'bfloat16' }).probabilities(x);
  expect(maxDiff(a, b)).toBeGreaterThan(0);
  expect(maxDiff(a, b)).toBeLessThan(0.02);
  // One network switched back and forth: the float32 path is untouched by the bfloat16 copies.
  const model = loadModel(dir);
  const net = new NativeModel(model.architecture, model.features.logMel.nMels, 4, 'cpu', 0);
  net.setState(model['nets'][0].getState());
  const frames = 101;
  const feats = new Float32Array(2 * model.features.logMel.nMels * frames).map((_, i) => 8 * Math.sin(i * 0.21) - 30);
  const before = net.predict(feats, 2, frames);
  net.setInferencePrecision('bfloat16');
  expect(net.describe().precision).toBe('bfloat16');
  const half = net.predict(feats, 2, frames);
  net.setInferencePrecision('float32');
  expect(Array.from(net.predict(feats, 2, frames))).toEqual(Array.from(before));
  expect(maxDiff(before, half)).toBeGreaterThan(0);
});

test('argument errors: loadModel, the native setter', () => {
  const dir = path.join(tmp, 'plain');
  untrainedBundle(dir, ['a', 'b'], 3);
  expect(() => loadModel(dir, { precision: 'float16' as never })).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/'float32', 'bfloat16' for options\.precision/) }));
  const model = loadModel(dir);
  const net = new NativeModel(model.architecture, model.features.logMel.nMels, 2, 'cpu', 0);
  expect(() => net.setInferencePrecision('int8' as never)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/'float32' or 'bfloat16'/) }));
});
