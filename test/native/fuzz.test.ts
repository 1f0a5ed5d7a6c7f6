// The fuzz harness (bench/fuzz.ts) at a CI size: seeded WAV mutants through predict (path, Buffer),
// predictAsync, logMel, the stream API and POST /v1/predict in this process: no uncoded error, no hang.
// The full run is `npm run fuzz -- --n 10000 --seed 7` (figures in README.md, "Hardening").
import { spawnSync } from 'child_process';
import * as path from 'path';
import { runFuzz, TARGETS } from '../../bench/fuzz';
import { checkDist, dist } from '../helpers/dist';

// fastify is ESM-only under jest's module loader (ERR_REQUIRE_ESM): the service is fuzzed through the compiled harness.
const IN_JEST = TARGETS.map((t) => t.name).filter((t) => t !== 'serve-predict');
import { mutant, syntheticSeeds } from '../../bench/fuzz/mutate';

test('mutants are deterministic for a seed and index', () => {
  const seeds = syntheticSeeds();
  expect(mutant(seeds, 7, 42)).toEqual(mutant(seeds, 7, 42));
  expect(mutant(seeds, 7, 42).bytes.equals(mutant(seeds, 8, 42).bytes)).toBe(false);
});

test('150 mutants: every error coded, no hang', async () => {
  // Speed targets live in the full run (npm run fuzz, 1 s per input); here only a hang fails (the 1 Hz WAV took 62 s).
  const r = await runFuzz({ n: 150, seed: 11, limitMs: 30000, targets: IN_JEST });
  expect(r.uncoded).toEqual([]);
  expect(r.slow).toEqual([]);
  expect(r.failed).toBe(false);
  for (const t of IN_JEST) {
    const s = r.perTarget[t];
    expect({ target: t, ok: s.ok > 0, errors: s.errors }).toMatchObject({ target: t, ok: true }); // valid mutants still decode and score
    expect(Object.keys(s.errors)).toEqual(expect.arrayContaining(['TRUNCATED', 'UNSUPPORTED', 'NOT_WAV']));
  }
}, 120000);

test('POST /v1/predict: 60 mutants, every refusal a 4xx with a code (compiled harness)', () => {
  checkDist();
  const r = spawnSync(process.execPath, [path.join(dist, 'bench', 'fuzz.js'), '--n', '60', '--seed', '11', '--targets', 'serve-predict', '--limit-ms', '30000', '--json'], { encoding: 'utf8', timeout: 120000 });
  expect(r.status).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.uncoded).toEqual([]);
  expect(report.perTarget['serve-predict'].ok).toBeGreaterThan(0);
  expect(Object.keys(report.perTarget['serve-predict'].errors)).toEqual(expect.arrayContaining(['HTTP_400_ERR_WAV_TRUNCATED', 'HTTP_400_ERR_WAV_NOT_WAV']));
}, 150000);

test('an uncoded error fails the run (the harness can fail)', async () => {
  TARGETS.push({ name: 'uncoded', run: () => { throw new Error('plain'); } });
  try {
    const r = await runFuzz({ n: 3, seed: 1, targets: ['uncoded'] });
    expect(r.failed).toBe(true);
    expect(r.uncoded).toHaveLength(3);
  } finally {
    TARGETS.pop();
  }
});
