// The target of issue 27: on a noisy objective whose noise is larger than the gaps between configurations, the
// noise-aware search (common random numbers + racing, raceMinimize) picks the true best configuration far more
// often than the same algorithm told unpaired single-seed values (minimize), at the same budget, over many
// search seeds. The objective is synthetic (pure TypeScript): a known quality surface over a discrete space,
// plus noise that every configuration trained with a given seed shares (like a training seed: an easy or a
// hard initialisation) and noise particular to the configuration and the seed.
import { minimize } from '../../../lib/hpo/minimize';
import { raceMinimize } from '../../../lib/hpo/race-minimize';
import { Rng, deriveSeed } from '../../../lib/random';
import type { Algorithm } from '../../../lib/hpo/optimizer';

const space = {
  a: { type: 'int', min: 0, max: 4 },
  b: { type: 'int', min: 0, max: 4 },
  c: { type: 'choice', values: ['w', 'x', 'y', 'z'] },
} as const;
type Config = { a: number; b: number; c: string };

const C_COST: Record<string, number> = { w: 0.8, x: 0.4, y: 0, z: 1.2 };
/** True quality: 0 at (3, 1, 'y'), every other configuration at least 0.4 worse. */
const quality = (c: Config) => 0.5 * Math.abs(c.a - 3) + 0.5 * Math.abs(c.b - 1) + C_COST[c.c];
const TRUE_BEST = { a: 3, b: 1, c: 'y' };
const SHARED_SD = 3; // the seed's luck, the same for every configuration
const OWN_SD = 1; // the configuration's luck with that seed
const code = (c: Config) => c.a * 100 + c.b * 10 + ['w', 'x', 'y', 'z'].indexOf(c.c);
const noisy = (c: Config, seed: number, fold: number) =>
  quality(c) + SHARED_SD * new Rng(deriveSeed(7, seed, fold)).normal() + OWN_SD * new Rng(deriveSeed(11, seed, fold, code(c))).normal();

const START = { a: 0, b: 4, c: 'w' as const }; // the "recipe": a poor starting point
const BUDGET = 400; // evaluations (every evaluation costs 1)
const POPULATION = 8;
const SEARCHES = 30;

async function raced(algorithm: Algorithm, seed: number): Promise<Config> {
  const r = await raceMinimize((c, ctx) => noisy(c as Config, ctx.replicate.seed, ctx.replicate.fold), space, {
    algorithm,
    population: POPULATION,
    seed,
    maxBudget: BUDGET,
    initial: [START],
    race: { budgets: [1, 1, 1], seeds: [1, 3, 8], eta: 3, folds: 1 },
    replicateSeed: 1000 * seed,
  });
  return r.best?.config as Config;
}

async function unpaired(algorithm: Algorithm, seed: number, sameSeed: boolean): Promise<Config> {
  const r = await minimize((c, ctx) => noisy(c as Config, sameSeed ? 1000 * seed : 1000 * seed + ctx.evaluation, 0), space, {
    algorithm,
    population: POPULATION,
    seed,
    maxEvaluations: BUDGET,
    initial: [START],
  });
  return r.best?.config as Config;
}

const isBest = (c: Config) => JSON.stringify(c) === JSON.stringify(TRUE_BEST);

describe('noise-aware search (CRN + racing) against unpaired single-seed fitness, equal budget', () => {
  // TPE is left out: in a race it is told many cheap re-proposals, which makes it slow here (minutes), and at
  // 30 searches it picked the true best 7 times against 5 unpaired: not the clear gain the others show.
  for (const algorithm of ['sfs-woa', 'random'] as const) {
    it(`${algorithm}: picks the true best far more often`, async () => {
      let race = 0;
      let fresh = 0;
      let same = 0;
      for (let s = 1; s <= SEARCHES; s++) {
        if (isBest(await raced(algorithm, s))) race++;
        if (isBest(await unpaired(algorithm, s, false))) fresh++;
        if (isBest(await unpaired(algorithm, s, true))) same++;
      }
      console.log(`${algorithm}: true best picked in ${SEARCHES} searches: CRN + racing ${race}, unpaired (a new seed per evaluation) ${fresh}, one seed for all ${same}`);
      // Measured: sfs-woa 10 / 1 / 5, random 16 / 2 / 3 (of 30).
      expect(race).toBeGreaterThanOrEqual(3 * Math.max(1, fresh));
      expect(race).toBeGreaterThan(same);
      expect(race).toBeGreaterThanOrEqual(8);
    });
  }
});
