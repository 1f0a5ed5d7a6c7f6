// `ser-native index <dir...>`: index emotional-speech folders and report counts, skips and duplicates.
// Thin wrapper: the work is in lib/dataset.
import { promises as fs } from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import {
  CORPUS_OPTIONS,
  DatasetError,
  VOCAL_CHANNEL_OPTIONS,
  formatIndexReport,
  indexDataset,
  toIndexJson,
  type CorpusOption,
  type VocalChannelFilter,
} from '../../lib/dataset';
import { meta, type Command } from '../command';
import { reportError } from '../errors';

export interface IndexArgs {
  dir: string[];
  corpus: CorpusOption;
  labelMap?: string;
  vocalChannel: VocalChannelFilter;
  json: boolean;
  out?: string;
}

interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export const indexCommand: Command<IndexArgs> = {
  ...meta('index'),
  builder: (yargs: Argv<object>): Argv<IndexArgs> =>
    yargs
      .positional('dir', { type: 'string', array: true, default: undefined, describe: 'Folders of recordings, or manifest files (.csv, .jsonl, .json)' })
      .option('corpus', { choices: CORPUS_OPTIONS, default: 'auto' as CorpusOption, describe: 'Naming to read; auto chooses per folder from the file names' })
      .option('label-map', { type: 'string', describe: 'Relabel or drop classes, e.g. calm=neutral,disgust= (empty target drops)' })
      .option('vocal-channel', { choices: VOCAL_CHANNEL_OPTIONS, default: 'speech' as VocalChannelFilter, describe: 'RAVDESS speech, song or both' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { items, counts, skipped, duplicates } as JSON and nothing else on stdout' })
      .option('out', { type: 'string', describe: 'Also write that JSON here (paths relative to the file, so it works as a manifest)' })
      .example('$0 index ../data/ravdess ../data/savee', 'Counts per corpus × emotion and per speaker')
      .example('$0 index data --label-map calm=neutral --out data/manifest.json', 'Merge calm into neutral and save a manifest') as unknown as Argv<IndexArgs>,
  handler: async (argv) => {
    process.exitCode = await runIndex(argv);
  },
};

/** Run the command; returns the exit code (0, or 1 for bad input). */
export async function runIndex(args: IndexArgs, io: Io = process): Promise<number> {
  try {
    const started = process.hrtime.bigint();
    const result = await indexDataset(args.dir, { corpus: args.corpus, labelMap: args.labelMap, vocalChannel: args.vocalChannel });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.items.length === 0) {
      io.stderr.write(formatIndexReport(result, { seconds }));
      throw new DatasetError(`no usable recordings in ${args.dir.join(', ')}: every file was skipped (reasons above); check --corpus, --vocal-channel and --label-map`);
    }
    // Human-facing notes go to stderr in --json mode, so stdout stays parseable.
    const note = args.json ? io.stderr : io.stdout;
    if (args.json) {
      io.stdout.write(JSON.stringify(toIndexJson(result), null, 2) + '\n');
      for (const w of result.warnings) io.stderr.write(`warning: ${w}\n`);
    } else {
      io.stdout.write(formatIndexReport(result, { seconds }));
    }
    if (args.out) {
      const out = path.resolve(args.out);
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(out, JSON.stringify(toIndexJson(result, path.dirname(out)), null, 2) + '\n');
      note.write(`Wrote ${args.out} (${result.items.length} items; paths relative to it, usable as a manifest).\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e; // a bug, not bad input: keep the stack
    return reportError('index', e, io);
  }
}
