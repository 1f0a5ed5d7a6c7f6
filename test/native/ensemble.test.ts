// Ensemble bundles: members averaged in one native call, float16 storage, calibration, and clear
// errors for a bad member. Seeded untrained networks: the arithmetic is what is tested.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';
import { readBundle, saveBundle, Member } from '../../lib/model/bundle';
import { resolveTrainConfig } from '../../lib/model/config';
import { applyTemperature } from '../../lib/metrics/calibration';
import { Rng } from '../../lib/random';
import { initialState, SMALL } from '../helpers/bundles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-ensemble-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const labels = ['neutral', 'happy', 'sad', 'angry'];
const c = resolveTrainConfig(SMALL);
const other = resolveTrainConfig({ ...SMALL, architecture: { ...SMALL.architecture, lstmHidden: 12, pooling: 'attention' } }).architecture;
const meta = { labels, features: c.features, architecture: c.architecture, versions: { package: 'test', libtorch: 'test' } };
// Three members, one of another architecture (same features and classes).
const members: Member[] = [
  { name: 'fold-1', architecture: c.architecture, state: initialState(c.architecture, c.features, 4, 1) },
  { name: 'fold-2', architecture: c.architecture, state: initialState(c.architecture, c.features, 4, 2) },
  { name: 'fold-3', architecture: other, state: initialState(other, c.features, 4, 3) },
];

function clips(n: number): Float32Array[] {
  const rng = new Rng(9);
  return Array.from({ length: n }, (_, i) => Float32Array.from({ length: 16000 * (1 + 0.4 * i) }, (_, t) => 0.3 * Math.sin(t * (0.05 + 0.01 * i)) + 0.05 * rng.normal()));
}
const x = clips(4);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test("an ensemble's output is the mean of its members' outputs", () => {
  const dir = path.join(tmp, 'ensemble');
  saveBundle(dir, meta, members);
  const ensemble = loadModel(dir);
  expect(ensemble.members).toBe(3);
  const mean = new Float32Array(x.length * 4);
  members.forEach((m, i) => {
    const single = path.join(tmp, `single-${i}`);
    saveBundle(single, { ...meta, architecture: m.architecture }, m.state);
    const p = loadModel(single).probabilities(x);
    p.forEach((v, j) => (mean[j] += v / 3));
  });
  const p = ensemble.probabilities(x);
  expect(maxDiff(p, mean)).toBeLessThan(1e-6);
  // Not trivially equal to one member.
  expect(maxDiff(p, loadModel(path.join(tmp, 'single-0')).probabilities(x))).toBeGreaterThan(1e-4);
});

test('the async path gives the same probabilities', async () => {
  const m = loadModel(path.join(tmp, 'ensemble'));
  expect(maxDiff(await m.probabilitiesAsync(x), m.probabilities(x))).toBe(0);
});

test('single-network bundles keep format version 1; ensembles are version 2 with their members', () => {
  expect(JSON.parse(fs.readFileSync(path.join(tmp, 'single-0', 'model.json'), 'utf8'))).toMatchObject({ formatVersion: 1, tensors: expect.any(Array) });
  const v2 = JSON.parse(fs.readFileSync(path.join(tmp, 'ensemble', 'model.json'), 'utf8'));
  expect(v2).toMatchObject({ formatVersion: 2, dtype: 'float32' });
  expect(v2.members.map((m: { name: string }) => m.name)).toEqual(['fold-1', 'fold-2', 'fold-3']);
  expect(v2.members[2].architecture.pooling).toBe('attention');
});

test('float16 weights halve weights.bin and move probabilities by < 1e-3', () => {
  const dir = path.join(tmp, 'half');
  saveBundle(dir, meta, members, { dtype: 'float16' });
  expect(fs.statSync(path.join(dir, 'weights.bin')).size * 2).toBe(fs.statSync(path.join(tmp, 'ensemble', 'weights.bin')).size);
  const d = maxDiff(loadModel(dir).probabilities(x), loadModel(path.join(tmp, 'ensemble')).probabilities(x));
  expect(d).toBeLessThan(1e-3);
  expect(readBundle(dir).members[1].state[0].data[0]).toBeCloseTo(members[1].state[0].data[0], 3);
});

test('a calibrated bundle applies its temperature to the probabilities', () => {
  const dir = path.join(tmp, 'calibrated');
  const calibration = { method: 'temperature' as const, temperature: 2.5, fittedOn: 'test', n: 1, nllBefore: 1, nllAfter: 1, eceBefore: 0, eceAfter: 0 };
  saveBundle(dir, { ...meta, calibration }, members);
  const m = loadModel(dir);
  const raw = m.probabilities(x, { calibrated: false });
  expect(maxDiff(raw, loadModel(path.join(tmp, 'ensemble')).probabilities(x))).toBe(0);
  expect(maxDiff(m.probabilities(x), applyTemperature(raw, 4, 2.5))).toBeLessThan(1e-7);
  expect(m.calibration?.temperature).toBe(2.5);
});

describe('a bad member is an ERR_MODEL naming the member and the bundle', () => {
  test('wrong shape (weights of another architecture)', () => {
    const dir = path.join(tmp, 'bad-shape');
    saveBundle(dir, meta, [members[0], { ...members[2], architecture: c.architecture }]);
    expect(() => loadModel(dir)).toThrow(expect.objectContaining({ code: 'ERR_MODEL', message: expect.stringMatching(new RegExp(`^${dir} is not a usable ser-native model bundle: member 'fold-3' \\(2 of 2\\): tensor '.*' has shape .* in the tensor index, but architecture`)) }));
  });

  test('missing tensor', () => {
    const dir = path.join(tmp, 'bad-missing');
    saveBundle(dir, meta, [members[0], { ...members[1], state: members[1].state.filter((t) => !t.name.startsWith('head.')) }]);
    expect(() => loadModel(dir)).toThrow(expect.objectContaining({ code: 'ERR_MODEL', message: expect.stringMatching(/member 'fold-2' \(2 of 2\): model.json's tensor index lacks 2 tensor\(s\) the network needs, e.g. 'head\./) }));
  });

  test('members whose features do not fit, or a broken index', () => {
    const dir = path.join(tmp, 'bad-index');
    saveBundle(dir, meta, members);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.members[1].tensors[0].shape = [999];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    expect(() => loadModel(dir)).toThrow(/not a usable ser-native model bundle: member 'fold-2' \(2 of 3\): tensor .* has shape \[999\] in the tensor index/);
    json.members[1].tensors[0].shape = members[1].state[0].shape;
    json.members[2].architecture.poolTime = [8, 8, 8, 8];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    expect(() => loadModel(dir)).toThrow(/Expected a clip long enough for the time pooling \[8,8,8,8\] .* for features\.clipSeconds but received 1 of type number/);
    json.members = [];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    expect(() => loadModel(dir)).toThrow(/lists no member networks/);
  });
});
