// `ser-native info`: what this installation is (the only command besides setup that needs nothing but the addon).
import { meta, type Command } from '../command-meta';
import type { DefaultModelInfo } from '../../lib/model/default-model';
import { percent } from '../../lib/metrics/percent';

const pct = (v: number | undefined) => percent(v, { missing: 'not recorded' });

/** The default model in plain rows: where, what it predicts, how well (as recorded at training), and its licence. */
export function defaultModelRows(d: DefaultModelInfo): [string, string][] {
  if (!d.installed) return [['default model', `not installed (${d.path}); predict needs --model DIR`]];
  const f = (d.figures ?? {}) as { folds?: number; outOfFoldUar?: { mean?: number; std?: number }; outOfFoldPerCorpusUar?: Record<string, number>; ece?: { after?: number } };
  const perCorpus = Object.entries(f.outOfFoldPerCorpusUar ?? {}).map(([c, v]) => `${c} ${pct(v)}`).join(', ');
  return [
    ['default model', `${d.path} (${d.members} member${d.members === 1 ? '' : 's'}${d.temperature ? `, temperature ${d.temperature.toFixed(3)}` : ''})`],
    ['  labels', (d.labels ?? []).join(', ')],
    ['  figures', f.outOfFoldUar ? `out-of-fold UAR ${pct(f.outOfFoldUar.mean)} ± ${pct(f.outOfFoldUar.std)} over ${f.folds} speaker-grouped folds${perCorpus ? ` (${perCorpus})` : ''}; ECE ${pct(f.ece?.after)} after calibration` : 'not recorded'],
    ['  licence', d.licence],
  ];
}

interface Args {
  json: boolean;
}

export const infoCommand: Command<Args> = {
  ...meta('info'),
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as never,
  handler: async (args) => {
    const { info } = await import('../../lib/info');
    const i = info();
    if (args.json) {
      process.stdout.write(JSON.stringify(i, null, 2) + '\n');
      return;
    }
    const cuda = i.cuda.available ? `${i.cuda.deviceCount} device(s): ${i.cuda.devices.join(', ')}` : i.cuda.builtWith ? 'built with CUDA, no usable device' : 'no (CPU-only LibTorch)';
    const rows: [string, string][] = [
      ['ser-native', i.version],
      ['LibTorch', `${i.libtorch.version} (${i.libtorch.cuda ? 'CUDA' : 'CPU'} build; pinned for prebuilds: ${i.libtorch.pinned})`],
      ['LibTorch path', `${i.libtorch.path} [${i.libtorch.source}]`],
      ['CUDA', cuda],
      ['cuDNN', i.cuda.cudnn ? `yes (${i.cuda.cudnnVersion})` : 'no'],
      ['threads', `${i.threads.intraOp} intra-op, ${i.threads.interOp} inter-op`],
      ['addon', `${i.build.from} (${i.build.type}): ${i.build.binary}`],
      ['memory', i.memory.blockCache.enabled ? 'large tensor blocks reused (block cache; SER_NATIVE_MALLOC=system turns it off)' : 'system allocator (SER_NATIVE_MALLOC=system)'],
      ...defaultModelRows(i.defaultModel),
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  },
};
