// The layer map of lib/ and bin/, checked by `npm test` (test/unit/architecture.test.ts runs depcruise).
// docs/ARCHITECTURE.md explains the layers. A module may import from its own layer's folder and from
// lower layers; never upwards, and never sideways into another folder of its own layer, so no two
// folders can depend on each other. Type-only imports count (tsPreCompilationDeps).
//
// To add a folder (serve, export, stream, ...): put it in the layer whose folders it may use, and
// move anything that must use it to a higher one.
const LAYERS = [
  ['lib/errors.ts', 'lib/is.ts'],
  ['lib/random.ts', 'lib/limits.ts', 'lib/fs-atomic.ts', 'lib/lock.ts', 'lib/parent-watchdog.ts'], // leaf helpers: node built-ins and errors only
  ['lib/binding.ts'], // the only module that loads the native addon (native/*.cc)
  ['lib/device.ts', 'lib/process-pool.ts', 'lib/queue'], // where jobs run: worker processes, the Redis queue's plumbing
  ['lib/metrics', 'lib/hpo', 'lib/audio', 'lib/features'],
  ['lib/dataset', 'lib/demo', 'lib/augment'],
  ['lib/report'],
  ['lib/model'],
  ['lib/info.ts', 'lib/stream'],
  ['lib/train', 'lib/export', 'lib/serve'],
  ['lib/optimize'],
  ['lib/index.ts'],
  ['bin'],
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (unit) => (unit.endsWith('.ts') ? `^${escape(unit)}$` : `^${escape(unit)}/`);

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Modules must not depend on each other in a cycle (a cycle of type-only imports is allowed: it does not exist at run time).',
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
  {
    name: 'no-yargs-in-lib',
    severity: 'error',
    comment: 'Command-line parsing belongs in bin/; lib/ is the API.',
    from: { path: '^lib/' },
    to: { path: 'node_modules/(@types/)?(yargs|yargs-parser)/' },
  },
  {
    name: 'addon-only-through-binding',
    severity: 'error',
    comment: 'Only lib/binding.ts finds and loads the native addon; everything else calls native() from it.',
    from: { path: '^(lib|bin)/', pathNot: '^lib/binding\\.ts$' },
    to: { path: 'node_modules/node-gyp-build/|\\.node$' },
  },
  {
    name: 'queue-dependencies-stay-in-queue',
    severity: 'error',
    comment: 'bullmq/ioredis are optional peer dependencies, loaded lazily by lib/queue/bullmq.ts only; the queue code (lib/queue, lib/train/queue, lib/optimize/evaluators/queue) may import their types.',
    from: { pathNot: '^lib/(queue|train/queue|optimize/evaluators/queue)/' },
    to: { path: 'node_modules/(@types/)?(bullmq|ioredis)/' },
  },
  { name: 'lib-never-imports-bin', severity: 'error', from: { path: '^lib/' }, to: { path: '^bin/' } },
];

forbidden.push({
  name: 'every-module-in-a-layer',
  severity: 'error',
  comment: 'A new file or folder of lib/ must be given a layer in LAYERS (.dependency-cruiser.cjs) and docs/ARCHITECTURE.md.',
  from: { path: '^lib/', pathNot: LAYERS.flat().map(pathOf).join('|') },
  to: {},
});

LAYERS.forEach((layer, level) => {
  for (const unit of layer) {
    const higher = LAYERS.slice(level + 1).flat();
    if (higher.length > 0) {
      forbidden.push({
        name: 'no-upward-import',
        severity: 'error',
        comment: `${unit} (layer ${level}) must not import from a higher layer`,
        from: { path: pathOf(unit) },
        to: { path: higher.map(pathOf).join('|') },
      });
    }
    const siblings = layer.filter((u) => u !== unit);
    if (siblings.length > 0) {
      forbidden.push({
        name: 'no-sideways-import',
        severity: 'error',
        comment: `${unit} must not import another folder of its own layer (${siblings.join(', ')}): move one of them a layer up`,
        from: { path: pathOf(unit) },
        to: { path: siblings.map(pathOf).join('|') },
      });
    }
  }
});

module.exports = {
  forbidden,
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build)/' },
  },
};
