// trainFolds(): speaker-grouped K-fold on the demo corpus (tiny recipe, a few epochs): out-of-fold
// coverage and figures, the calibrated ensemble bundle, and the held-out validation of the ensemble.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trainFolds, FoldsResult } from '../../lib/train/folds';
import { meanStd } from '../../lib/metrics/summary';
import { loadModel } from '../../lib/model/model';
import { demo, fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-folds-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const demoOptions = { demo: { ...demo, actors: 8 }, demoDir: path.join(tmp, 'demo') };
const out = path.join(tmp, 'run');
let r: FoldsResult;

beforeAll(async () => {
  r = await trainFolds({ ...demoOptions, folds: 3, epochs: 3, seed: 2, config: fixed, out, device: 'cpu', dtype: 'float16' });
}, 600000);

test('every training speaker is scored once, by the fold model that never heard it', () => {
  const speakers = r.folds.flatMap((f) => f.speakers);
  expect(new Set(speakers).size).toBe(speakers.length);
  expect([...speakers].sort()).toEqual(r.outOfFold.report.protocol.testSpeakers);
  // The demo corpus' default split holds out its last speakers for validation; they are in no fold.
  const held = r.validation!.report.protocol.testSpeakers!;
  expect(held.length).toBeGreaterThan(0);
  for (const s of held) expect(speakers).not.toContain(s);
  expect(r.outOfFold.report.n).toBe(r.folds.reduce((a, f) => a + f.n, 0));
  const { mean, std } = meanStd(r.folds.map((f) => f.uar));
  expect(r.outOfFold.uarMean).toBeCloseTo(mean, 12);
  expect(r.outOfFold.uarStd).toBeCloseTo(std, 12);
  expect(r.summary).toMatchObject({ folds: 3, temperature: r.calibration.temperature });
});

test("the out-of-fold temperature lowers the out-of-fold NLL; the shipped one is the ensemble's, fitted on the held-out speakers and judged leave-one-speaker-out", () => {
  expect(r.outOfFold.calibration.after.nll).toBeLessThanOrEqual(r.outOfFold.calibration.before.nll + 1e-12);
  const v = r.validation!;
  expect(v.report.protocol.testSpeakers!.length).toBeGreaterThanOrEqual(2);
  expect(v.calibration.crossFitted).toBe(true);
  expect(r.calibration.temperature).toBeGreaterThan(0);
  expect(r.calibration.n).toBe(v.report.n);
  expect(r.calibration.nllAfter).toBeLessThanOrEqual(r.calibration.nllBefore);
  expect(r.calibration.fittedOn).toMatch(/held-out speakers/);
  expect(r.calibration.eceBefore).toBeCloseTo(v.calibration.before.ece, 12);
  expect(r.calibration.eceAfter).toBeCloseTo(v.calibration.after.ece, 12);
  expect(r.summary).toMatchObject({ validation: { eceCrossFitted: true, ece: v.calibration.after.ece } });
});

test('the K fold models are saved as one calibrated float16 ensemble bundle that reproduces the validation figures', async () => {
  const json = JSON.parse(fs.readFileSync(path.join(out, 'model', 'model.json'), 'utf8'));
  expect(json).toMatchObject({ formatVersion: 2, dtype: 'float16', calibration: { method: 'temperature' } });
  expect(json.members.map((m: { name: string }) => m.name)).toEqual(['fold-1', 'fold-2', 'fold-3']);
  expect(json.metrics.summary.outOfFoldUar.mean).toBeCloseTo(r.outOfFold.uarMean, 12);
  const m = loadModel(path.join(out, 'model'));
  expect(m.members).toBe(3);
  expect(m.calibration!.temperature).toBe(r.calibration.temperature);
  for (const f of ['metrics.json', 'report.html', 'folds/fold-1/model/model.json']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  expect(html).toMatch(/reliability diagram/);
  expect(html).toMatch(/UAR per fold/);
});

test('clear errors: too many folds, a speaker-dependent split', async () => {
  await expect(trainFolds({ ...demoOptions, folds: 40, epochs: 1, config: fixed })).rejects.toThrow(/k-fold by speaker needs at least k=40 speakers/);
  await expect(trainFolds({ ...demoOptions, folds: 2, epochs: 1, config: fixed, split: 'random:0.2' })).rejects.toThrow(/--folds needs a speaker-independent --split/);
  await expect(trainFolds({ ...demoOptions, folds: 1, epochs: 1 })).rejects.toThrow(/options.folds/);
  await expect(trainFolds({ ...demoOptions, folds: 2, epochs: 1, config: fixed, foldCorpora: ['ravdess'] })).rejects.toThrow(/no speaker of ravdess \(options.foldCorpora\).*corpora present are demo/);
  await expect(trainFolds({ ...demoOptions, folds: 2, epochs: 1, config: fixed, foldCorpora: [] })).rejects.toThrow(/options.foldCorpora/);
});

describe('full-data members (members: M)', () => {
  const mout = path.join(tmp, 'members');
  let rm: FoldsResult;
  beforeAll(async () => {
    rm = await trainFolds({ ...demoOptions, folds: 2, members: 2, epochs: 2, seed: 4, config: fixed, out: mout, device: 'cpu' });
  }, 600000);

  test('the shipped members heard every pool speaker, for the fold pass\'s median best epoch, with seeds of their own', () => {
    const pool = rm.outOfFold.report.protocol.testSpeakers!;
    expect(rm.members!.map((m) => m.name)).toEqual(['member-1', 'member-2']);
    for (const m of rm.members!) {
      expect(m.speakers).toEqual(pool);
      expect(m.epochs).toBe(Math.max(1, Math.round((rm.folds[0].bestEpoch + rm.folds[1].bestEpoch) / 2)));
    }
    expect(new Set(rm.members!.map((m) => m.seed)).size).toBe(2);
    const json = JSON.parse(fs.readFileSync(path.join(mout, 'model', 'model.json'), 'utf8'));
    expect(json.members.map((m: { name: string }) => m.name)).toEqual(['member-1', 'member-2']);
    expect(json.training.members.map((m: { speakers: string[] }) => m.speakers)).toEqual([pool, pool]);
    // Each member's own run had no validation: every epoch ran, the last one is the model.
    const history = fs.readFileSync(path.join(mout, 'members', 'member-1', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(history.length).toBe(rm.members![0].epochs);
    expect(history.every((h: { valUar: number | null }) => h.valUar === null)).toBe(true);
    // The held-out validation speakers were scored by the shipped (full-data) ensemble.
    expect(rm.validation!.report.protocol.description).toMatch(/2 full-data members/);
  });
});

test('members trained on the worker pool equal in-process members at the same seed and thread count, bit for bit', async () => {
  const { setNumThreads } = await import('../../lib/device');
  const { info } = await import('../../lib/info');
  const before = info().threads.intraOp;
  const saved = process.env.SER_NATIVE_THREADS;
  setNumThreads(1);
  process.env.SER_NATIVE_THREADS = '1'; // the pool's workers: 1 thread each, like this process now
  try {
    const options = { ...demoOptions, folds: 2, members: 1, epochs: 1, seed: 6, config: fixed, device: 'cpu' as const };
    const local = await trainFolds({ ...options, out: path.join(tmp, 'local') });
    const pooled = await trainFolds({ ...options, out: path.join(tmp, 'pooled'), workers: 2 });
    expect(pooled.folds.map((f) => f.uar)).toEqual(local.folds.map((f) => f.uar));
    const a = fs.readFileSync(path.join(tmp, 'local', 'members', 'member-1', 'model', 'weights.bin'));
    const b = fs.readFileSync(path.join(tmp, 'pooled', 'members', 'member-1', 'model', 'weights.bin'));
    expect(a.equals(b)).toBe(true);
    const fa = fs.readFileSync(path.join(tmp, 'local', 'folds', 'fold-2', 'model', 'weights.bin'));
    const fb = fs.readFileSync(path.join(tmp, 'pooled', 'folds', 'fold-2', 'model', 'weights.bin'));
    expect(fa.equals(fb)).toBe(true);
  } finally {
    if (saved === undefined) delete process.env.SER_NATIVE_THREADS;
    else process.env.SER_NATIVE_THREADS = saved;
    setNumThreads(before);
  }
}, 600000);
