// `ser-native index [dir...] [--data ...] [--ravdess ...] [--savee ...]`: index emotional-speech folders and
// report counts, skips and duplicates (the data flags as train, evaluate and optimize take them).
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
  type IndexInput,
  type VocalChannelFilter,
} from '../../lib/dataset';
import { SerNativeError } from '../../lib/errors';
import { meta, type Command } from '../command-meta';
import { withDataOptions } from '../data-options';
import { codeOf, reportError, UsageError } from '../errors';

export interface IndexArgs {
  /** Positional folders or manifests, read with --corpus; --data adds to them (as train, evaluate and optimize take them). */
  dir?: string[];
  data?: string[];
  /** Folders read as RAVDESS / SAVEE whatever --corpus says, as train reads them. */
  ravdess?: string[];
  savee?: string[];
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
    withDataOptions(
      yargs.positional('dir', { type: 'string', array: true, default: undefined, describe: 'Folders of recordings, or manifest files (.csv, .jsonl, .json)' }),
      { split: false },
    )
      .describe('data', 'More folders or manifests, as train takes them (read like the positional ones)')
      .option('corpus', { choices: CORPUS_OPTIONS, default: 'auto' as CorpusOption, describe: 'Naming to read the positional and --data inputs with; auto chooses per folder from the file names' })
      .option('vocal-channel', { choices: VOCAL_CHANNEL_OPTIONS, default: 'speech' as VocalChannelFilter, describe: 'RAVDESS speech, song or both' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { items, counts, skipped, duplicates } as JSON and nothing else on stdout' })
      .option('out', { type: 'string', describe: 'Also write that JSON here (paths relative to the file, so it works as a manifest)' })
      .example('$0 index ../data/ravdess ../data/savee', 'Counts per corpus × emotion and per speaker')
      .example('$0 index --ravdess ../data/ravdess --savee ../data/savee', 'The same, with the data flags of train')
      .example('$0 index data --label-map calm=neutral --out data/manifest.json', 'Merge calm into neutral and save a manifest') as unknown as Argv<IndexArgs>,
  handler: async (argv) => {
    process.exitCode = await runIndex(argv);
  },
};

/** Run the command; returns the exit code (0, or that of the error: 1 for bad data, 2 for a bad flag value). */
export async function runIndex(args: IndexArgs, io: Io = process): Promise<number> {
  try {
    const inputs: IndexInput[] = [
      ...(args.dir ?? []).filter((d) => d !== undefined), // yargs gives [undefined] for no optional positional
      ...(args.data ?? []),
      ...(args.ravdess ?? []).map((p) => ({ path: p, corpus: 'ravdess' as const })),
      ...(args.savee ?? []).map((p) => ({ path: p, corpus: 'savee' as const })),
    ];
    if (inputs.length === 0) throw new UsageError('nothing to index: give folders or manifests (ser-native index DIR...), or --data, --ravdess, --savee as train takes them');
    const started = process.hrtime.bigint();
    const result = await indexDataset(inputs, { corpus: args.corpus, labelMap: args.labelMap, vocalChannel: args.vocalChannel });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.items.length === 0) {
      io.stderr.write(formatIndexReport(result, { seconds }));
      const where = inputs.map((x) => (typeof x === 'string' ? x : x.path)).join(', ');
      throw new DatasetError(`no usable recordings in ${where}: every file was skipped (reasons above); check --corpus, --vocal-channel and --label-map`);
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
      try {
        await fs.mkdir(path.dirname(out), { recursive: true });
        await fs.writeFile(out, JSON.stringify(toIndexJson(result, path.dirname(out)), null, 2) + '\n');
      } catch (e) {
        throw new SerNativeError('ERR_IO', `--out ${args.out}: cannot write (${(e as Error).message})`, { cause: e });
      }
      note.write(`Wrote ${args.out} (${result.items.length} items; paths relative to it, usable as a manifest).\n`);
    }
    return 0;
  } catch (e) {
    if (codeOf(e) === 'ERR_UNEXPECTED') throw e; // a bug, not bad input: keep the stack
    return reportError('index', e, io);
  }
}
