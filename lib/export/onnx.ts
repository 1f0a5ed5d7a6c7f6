// A model bundle as a standard ONNX graph (encoded with protobufjs from the official onnx.proto in
// vendor/onnx): optionally the log-mel front end (reflect pad, STFT, power, mel matrix, dB, top_db,
// per-utterance mean removal), then per member the model's normalisation, the conv blocks with their
// batch norm folded in, the LSTM (gates reordered from PyTorch's i,f,g,o to ONNX's i,o,f,c), the
// pooling and the head's softmax; the members' mean, and the bundle's temperature. The semantics
// follow native/logmel.cc and native/model.cc; tests check the result in onnxruntime-node.
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../binding';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { readBundle, BundleMeta, Member } from '../model/bundle';
import type { Architecture } from '../model/config';
import { MIN_FEATURE_STD, windowFrames } from '../model/features';
import { melFilterbank } from '../features/logmel';
import type { TensorState } from '../model/native-model';

export interface ExportOnnxOptions {
  /** ONNX opset (17–21; STFT needs 17). Default 17. */
  opset?: number;
  /** Include the log-mel front end (input: raw samples) or not (input: log-mel). Default true. */
  features?: boolean;
}

export interface ExportOnnxResult {
  file: string;
  bytes: number;
  opset: number;
  input: { name: string; shape: (number | string)[] };
  output: { name: string; shape: (number | string)[] };
  members: number;
  temperature: number | null;
}

export const MIN_OPSET = 17;
export const MAX_OPSET = 21;
const FLOAT = 1;
const INT64 = 7;
const BN_EPS = 1e-5; // torch::nn::BatchNorm2d's default

/** The part of protobufjs's Type used here. */
interface ProtoType {
  fromObject(o: Record<string, unknown>): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o: Record<string, unknown>): unknown;
}

let modelProto: ProtoType | null = null;
function onnxTypes(): ProtoType {
  // Loaded on first export only: require('ser-native') stays fast (cold start).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protobuf = require('protobufjs') as { loadSync(file: string): { lookupType(name: string): ProtoType } };
  if (!modelProto) modelProto = protobuf.loadSync(path.join(packageRoot(), 'vendor', 'onnx', 'onnx.proto')).lookupType('onnx.ModelProto');
  return modelProto;
}

type Attr = number | number[] | string | { tensor: Record<string, unknown> };

/** Accumulates nodes and initializers with unique names. */
class Graph {
  nodes: Record<string, unknown>[] = [];
  inits: Record<string, unknown>[] = [];
  private n = 0;
  constructor(readonly opset: number) {}

  fresh(hint: string): string {
    return `${hint}_${this.n++}`;
  }
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs = 1, hint = type.toLowerCase()): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(hint));
    const attribute = Object.entries(attrs).map(([name, v]) => attribute_(name, v));
    this.nodes.push({ opType: type, input: inputs, output: outs, name: this.fresh(type), attribute });
    return outs;
  }
  op1(type: string, inputs: string[], attrs: Record<string, Attr> = {}, hint?: string): string {
    return this.op(type, inputs, attrs, 1, hint)[0];
  }
  float(name: string, dims: number[], data: ArrayLike<number>): string {
    const f = Float32Array.from(data);
    this.inits.push({ name, dataType: FLOAT, dims, rawData: Buffer.from(f.buffer, f.byteOffset, f.byteLength) });
    return name;
  }
  ints(name: string, data: number[], dims = [data.length]): string {
    const b = Buffer.alloc(8 * data.length);
    data.forEach((v, i) => b.writeBigInt64LE(BigInt(v), 8 * i));
    this.inits.push({ name, dataType: INT64, dims, rawData: b });
    return name;
  }
  scalar(value: number): string {
    return this.float(this.fresh('const'), [], [value]);
  }
  /** A reduction over `axes`: attribute before opset 18, input from 18 (ReduceSum: from 13). */
  reduce(type: string, x: string, axes: number[], keepdims: boolean): string {
    const asInput = type === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    if (asInput) return this.op1(type, [x, this.ints(this.fresh('axes'), axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op1(type, [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
}

function attribute_(name: string, v: Attr): Record<string, unknown> {
  // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, INTS 7.
  if (typeof v === 'string') return { name, type: 3, s: Buffer.from(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if (typeof v === 'object') return { name, type: 4, t: v.tensor };
  return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
}

function tensor(state: TensorState[], name: string, member: string): TensorState {
  const t = state.find((s) => s.name === name);
  if (!t) throw new SerNativeError('ERR_MODEL', `${member} has no tensor '${name}'`);
  return t;
}

/** The periodic Hann window of winLength centred in nFft (torch.stft's padding of a shorter window). */
function hannWindow(nFft: number, winLength: number): Float32Array {
  const w = new Float32Array(nFft);
  const left = Math.floor((nFft - winLength) / 2);
  for (let i = 0; i < winLength; i++) w[left + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / winLength);
  return w;
}

/** Raw samples [batch, samples] → utterance-normalised log-mel (mean, and std with utteranceStd) [batch, frames, nMels] (native/logmel.cc + features.ts). */
function frontEnd(g: Graph, samples: string, meta: BundleMeta): string {
  const o = meta.features.logMel;
  let x = samples;
  if (o.center) {
    const half = Math.floor(o.nFft / 2);
    x = g.op1('Pad', [x, g.ints('pad_amounts', [0, half, 0, half])], { mode: o.padMode === 'reflect' ? 'reflect' : 'constant' });
  }
  x = g.op1('Unsqueeze', [x, g.ints('axis_last', [2])]); // [batch, len, 1]
  const spec = g.op1('STFT', [x, g.ints('hop_length', [o.hopLength], []), g.float('window', [o.nFft], hannWindow(o.nFft, o.winLength)), g.ints('n_fft', [o.nFft], [])], { onesided: 1 });
  // spec: [batch, frames, nFft/2 + 1, 2] (real, imaginary)
  let power = g.reduce('ReduceSumSquare', spec, [3], false);
  if (o.power !== 2) power = g.op1('Pow', [g.op1('Sqrt', [power]), g.scalar(o.power)]);
  const fb = melFilterbank(o); // [nFreqs, nMels], the same matrix as the native kernel
  const mel = g.op1('MatMul', [power, g.float('mel_matrix', [fb.nFreqs, fb.nMels], fb.data)]); // [batch, frames, nMels]
  const multiplier = 10 * (2 / o.power);
  let db = g.op1('Mul', [g.op1('Log', [g.op1('Max', [mel, g.scalar(o.amin)])]), g.scalar(multiplier / Math.LN10)]);
  db = g.op1('Sub', [db, g.scalar(multiplier * Math.log10(Math.max(o.amin, o.ref)))]);
  if (o.topDb !== null) db = g.op1('Max', [db, g.op1('Sub', [g.reduce('ReduceMax', db, [1, 2], true), g.scalar(o.topDb)])]);
  if (meta.features.utteranceNorm) db = g.op1('Sub', [db, g.reduce('ReduceMean', db, [1], true)]);
  // Per-utterance CMVN: the centred values over their per-mel standard deviation (floored as MIN_FEATURE_STD).
  // The graph scores lone clips; speaker adaptation (statistics of a voice) stays in the library.
  if (meta.features.utteranceNorm && meta.features.utteranceStd) {
    const std = g.op1('Sqrt', [g.reduce('ReduceMean', g.op1('Mul', [db, db]), [1], true)]);
    db = g.op1('Div', [db, g.op1('Max', [std, g.scalar(MIN_FEATURE_STD)])]);
  }
  return db;
}

/** One member network: log-mel [batch, frames, nMels] → logits [batch, classes]. */
function network(g: Graph, x: string, arch: Architecture, state: TensorState[], p: string, nMels: number, member: string): string {
  const t = (name: string) => tensor(state, name, member);
  const mean = t('feat_mean').data;
  const std = t('feat_std').data;
  // Normalisation per mel bin (last axis here), then [batch, 1, nMels, frames].
  x = g.op1('Div', [g.op1('Sub', [x, g.float(`${p}feat_mean`, [nMels], mean)]), g.float(`${p}feat_std`, [nMels], std)]);
  x = g.op1('Unsqueeze', [g.op1('Transpose', [x], { perm: [0, 2, 1] }), g.ints(`${p}axis1`, [1])]);
  for (let b = 0; b < 4; b++) {
    const w = t(`blocks.${b}.0.weight`);
    const gamma = t(`blocks.${b}.1.weight`).data;
    const beta = t(`blocks.${b}.1.bias`).data;
    const rm = t(`blocks.${b}.1.running_mean`).data;
    const rv = t(`blocks.${b}.1.running_var`).data;
    const [out, inC, kh, kw] = w.shape;
    // Batch norm (eval) folded into the convolution: w·s, β − μ·s with s = γ/√(σ² + ε), in double.
    const per = inC * kh * kw;
    const wf = new Float32Array(w.data.length);
    const bf = new Float32Array(out);
    for (let c = 0; c < out; c++) {
      const s = gamma[c] / Math.sqrt(rv[c] + BN_EPS);
      for (let i = 0; i < per; i++) wf[c * per + i] = w.data[c * per + i] * s;
      bf[c] = beta[c] - rm[c] * s;
    }
    x = g.op1('Conv', [x, g.float(`${p}conv${b}.weight`, w.shape, wf), g.float(`${p}conv${b}.bias`, [out], bf)], { kernel_shape: [kh, kw], pads: [1, 1, 1, 1] });
    if (arch.activation === 'relu') x = g.op1('Relu', [x]);
    else if (arch.activation === 'elu') x = g.op1('Elu', [x]); // alpha 1, as torch::nn::ELU
    else if (g.opset >= 20) x = g.op1('Gelu', [x]);
    else x = g.op1('Mul', [g.op1('Mul', [x, g.scalar(0.5)]), g.op1('Add', [g.op1('Erf', [g.op1('Div', [x, g.scalar(Math.SQRT2)])]), g.scalar(1)])]); // exact GELU
    x = g.op1('MaxPool', [x], { kernel_shape: [arch.poolFreq[b], arch.poolTime[b]], strides: [arch.poolFreq[b], arch.poolTime[b]] });
  }
  // [batch, C, mels', frames'] → [frames', batch, C·mels'] (the LSTM's time-major input)
  x = g.op1('Transpose', [x], { perm: [3, 0, 1, 2] });
  x = g.op1('Reshape', [x, g.ints(`${p}seq_shape`, [0, 0, -1])]);
  const dirs = arch.bidirectional ? 2 : 1;
  const H = arch.lstmHidden;
  // PyTorch gate blocks i,f,g,o → ONNX i,o,f,c
  const reorder = (d: Float32Array, cols: number) => {
    const out = new Float32Array(d.length);
    [0, 3, 1, 2].forEach((src, dst) => out.set(d.subarray(src * H * cols, (src + 1) * H * cols), dst * H * cols));
    return out;
  };
  for (let l = 0; l < arch.lstmLayers; l++) {
    const suffixes = arch.bidirectional ? [`l${l}`, `l${l}_reverse`] : [`l${l}`];
    const wih = suffixes.map((s) => t(`lstm.weight_ih_${s}`));
    const inSize = wih[0].shape[1];
    const W = new Float32Array(dirs * 4 * H * inSize);
    const R = new Float32Array(dirs * 4 * H * H);
    const B = new Float32Array(dirs * 8 * H);
    suffixes.forEach((s, d) => {
      W.set(reorder(t(`lstm.weight_ih_${s}`).data, inSize), d * 4 * H * inSize);
      R.set(reorder(t(`lstm.weight_hh_${s}`).data, H), d * 4 * H * H);
      B.set(reorder(t(`lstm.bias_ih_${s}`).data, 1), d * 8 * H);
      B.set(reorder(t(`lstm.bias_hh_${s}`).data, 1), d * 8 * H + 4 * H);
    });
    const Y = g.op1(
      'LSTM',
      [x, g.float(`${p}lstm${l}.W`, [dirs, 4 * H, inSize], W), g.float(`${p}lstm${l}.R`, [dirs, 4 * H, H], R), g.float(`${p}lstm${l}.B`, [dirs, 8 * H], B)],
      { hidden_size: H, direction: arch.bidirectional ? 'bidirectional' : 'forward' },
    ); // [seq, dirs, batch, H]
    // → [seq, batch, dirs·H]: forward features then backward, as PyTorch concatenates them
    x = g.op1('Reshape', [g.op1('Transpose', [Y], { perm: [0, 2, 1, 3] }), g.ints(`${p}lstm${l}_shape`, [0, 0, -1])]);
  }
  let pooled: string;
  if (arch.pooling === 'last') {
    pooled = g.op1('Gather', [x, g.ints(`${p}last`, [-1], [])], { axis: 0 });
  } else if (arch.pooling === 'attention') {
    const aw = t('attention.weight');
    const score = g.op1('Add', [g.op1('MatMul', [x, g.float(`${p}attention.w`, [aw.shape[1], 1], aw.data)]), g.float(`${p}attention.b`, [1], t('attention.bias').data)]);
    const weights = g.op1('Softmax', [score], { axis: 0 }); // over time
    pooled = g.reduce('ReduceSum', g.op1('Mul', [weights, x]), [0], false);
  } else {
    pooled = g.reduce('ReduceMean', x, [0], false);
  }
  const hw = t('head.weight');
  return g.op1('Gemm', [pooled, g.float(`${p}head.weight`, hw.shape, hw.data), g.float(`${p}head.bias`, [hw.shape[0]], t('head.bias').data)], { transB: 1 }, 'logits');
}

/** The ONNX ModelProto of a bundle, as a plain object for protobufjs. */
export function buildOnnxModel(meta: BundleMeta, members: Member[], options: ExportOnnxOptions = {}): { model: Record<string, unknown>; input: ExportOnnxResult['input']; output: ExportOnnxResult['output'] } {
  const opset = options.opset ?? MIN_OPSET;
  is.integer('options.opset', opset, MIN_OPSET, MAX_OPSET);
  const features = options.features ?? true;
  // The graph's front end normalises over every frame; speech detection is not an ONNX operator.
  if (features && meta.features.speechStats) {
    throw new SerNativeError('ERR_ARGUMENT', 'this model was trained with features.speechStats (each clip normalised with the statistics of its speech frames), and an ONNX graph cannot detect speech: export the network alone with options.features false (CLI: export --no-features) and normalise the log-mel before it');
  }
  const g = new Graph(opset);
  const nMels = meta.features.logMel.nMels;
  const k = meta.labels.length;
  const frames = windowFrames(meta.features);
  const inputName = features ? 'samples' : 'logmel';
  const inputShape: (number | string)[] = features ? ['batch', Math.round(meta.features.clipSeconds * meta.features.logMel.sampleRate)] : ['batch', nMels, frames];
  // Network input layout: [batch, frames, nMels]
  const x = features ? frontEnd(g, inputName, meta) : g.op1('Transpose', [inputName], { perm: [0, 2, 1] });
  const probs = members.map((m, i) => g.op1('Softmax', [network(g, x, m.architecture, m.state, members.length > 1 ? `m${i}.` : '', nMels, `member '${m.name}'`)], { axis: 1 }));
  let p = probs.length === 1 ? probs[0] : g.op1('Div', [g.op1('Sum', probs), g.scalar(probs.length)]);
  const t = meta.calibration?.temperature;
  // Temperature on the averaged probabilities: softmax(log(max(p, 1e-30)) / T), as lib/metrics/calibration.ts.
  if (t !== undefined && t !== 1) p = g.op1('Softmax', [g.op1('Div', [g.op1('Log', [g.op1('Max', [p, g.scalar(1e-30)])]), g.scalar(t)])], { axis: 1 });
  g.nodes.push({ opType: 'Identity', input: [p], output: ['probabilities'], name: 'probabilities' });
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const valueInfo = (name: string, shape: (number | string)[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map(dim) } } } });
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const props: Record<string, string> = {
    labels: JSON.stringify(meta.labels),
    input: features ? 'samples: mono float32 [batch, samples] at sample_rate, one window (clip_seconds) long' : 'logmel: utterance-normalised log-mel dB [batch, n_mels, frames]',
    sample_rate: String(meta.features.logMel.sampleRate),
    clip_seconds: String(meta.features.clipSeconds),
    window_frames: String(frames),
    n_mels: String(nMels),
    log_mel: JSON.stringify(meta.features.logMel),
    utterance_norm: String(meta.features.utteranceNorm),
    utterance_std: String(meta.features.utteranceStd),
    includes_features: String(features),
    members: String(members.length),
    temperature: t === undefined ? 'none' : String(t),
  };
  const model = {
    irVersion: opset >= 21 ? 10 : 8,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'ser-native',
    producerVersion: pkg.version,
    docString: 'Speech emotion recognition (CNN+LSTM on log-mel), exported by ser-native',
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'ser_native',
      node: g.nodes,
      initializer: g.inits,
      input: [valueInfo(inputName, inputShape)],
      output: [valueInfo('probabilities', ['batch', k])],
    },
  };
  return { model, input: { name: inputName, shape: inputShape }, output: { name: 'probabilities', shape: ['batch', k] } };
}

/** Encodes a ModelProto object with the vendored onnx.proto schema. */
export function encodeOnnx(model: Record<string, unknown>): Uint8Array {
  const type = onnxTypes();
  return type.encode(type.fromObject(model)).finish();
}

/** Decodes ONNX bytes (for checks and tooling). */
export function decodeOnnx(bytes: Uint8Array): Record<string, unknown> {
  const type = onnxTypes();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Buffer, defaults: false }) as Record<string, unknown>;
}

/** Writes `bundleDir` as an ONNX model to `file` (see the header comment for what the graph holds). */
export function exportOnnx(bundleDir: string, file: string, options: ExportOnnxOptions = {}): ExportOnnxResult {
  if (typeof file !== 'string' || file === '') throw is.invalidParameterError('file', 'an output .onnx path', file);
  const o = is.plainObject('options', options);
  is.knownKeys('options', o, ['opset', 'features']);
  if (o.features !== undefined) is.boolean('options.features', o.features);
  if (o.opset !== undefined) is.integer('options.opset', o.opset, MIN_OPSET, MAX_OPSET); // before the bundle is read
  const { meta, members } = readBundle(bundleDir);
  const built = buildOnnxModel(meta, members, options);
  const bytes = encodeOnnx(built.model);
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, bytes);
  } catch (e) {
    throw new SerNativeError('ERR_IO', `cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
  return { file, bytes: bytes.length, opset: options.opset ?? MIN_OPSET, input: built.input, output: built.output, members: members.length, temperature: meta.calibration?.temperature ?? null };
}
