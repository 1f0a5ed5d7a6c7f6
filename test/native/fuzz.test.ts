// The fuzz harness (bench/fuzz.ts) at a CI size: seeded WAV mutants through predict (path, Buffer),
// predictAsync and logMel in this process: no uncoded error, no input over 1 s, errors by code.
// The full run is `npm run fuzz -- --n 10000 --seed 7` (figures in README.md, "Hardening").
import { runFuzz, TARGETS } from '../../bench/fuzz';
import { mutant, syntheticSeeds } from '../../bench/fuzz/mutate';

test('mutants are deterministic for a seed and index', () => {
  const seeds = syntheticSeeds();
  expect(mutant(seeds, 7, 42)).toEqual(mutant(seeds, 7, 42));
  expect(mutant(seeds, 7, 42).bytes.equals(mutant(seeds, 8, 42).bytes)).toBe(false);
});

test('150 mutants: every error coded, none slow', async () => {
  const r = await runFuzz({ n: 150, seed: 11, limitMs: 1000 });
  expect(r.uncoded).toEqual([]);
  expect(r.slow).toEqual([]);
  expect(r.failed).toBe(false);
  for (const t of TARGETS.map((x) => x.name)) {
    const s = r.perTarget[t];
    expect(s.ok).toBeGreaterThan(0); // valid mutants still decode and score
    expect(Object.keys(s.errors)).toEqual(expect.arrayContaining(['TRUNCATED', 'UNSUPPORTED', 'NOT_WAV']));
  }
}, 120000);

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
