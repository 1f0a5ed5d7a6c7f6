#!/usr/bin/env node
// The ser-native CLI: parsing and error reporting only; every command calls into lib/. Command modules
// (and through them the addon, LibTorch, BullMQ) load only when their command runs (bin/command-loader.ts),
// so `--help` and `--version` stay fast; test/unit/cli/lazy-load.test.ts checks what they load.
import * as fs from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import { COMMANDS, lazyCommands } from './command-loader';
import { closest, notANumber, reportError, unknownFlags, unknownFlagsMessage, usageMessage, UsageError } from './errors';

const words = process.argv.slice(2);
const command = COMMANDS.find((c) => c.name === words[0])?.name ?? null;

/** The version in the package.json above this file (dist/bin or bin/ alike). */
function version(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'ser-native') return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** Every flag name and alias the command being parsed knows (yargs' state at the time of the failure). */
function knownFlags(y: Argv): string[] {
  const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  return [...Object.keys(o.key), ...Object.values(o.alias).flat(), 'help', 'h', 'version'];
}

async function main(): Promise<void> {
  if (words.length === 1 && words[0] === '--version') {
    // Answered before yargs loads: scripts call this often.
    process.stdout.write(`${version()}\n`);
    return;
  }
  const { default: yargs } = await import('yargs');
  let cli: Argv = yargs(words)
    .scriptName('ser-native')
    .usage('$0 <command> [options]\n\nSpeech emotion recognition on LibTorch. Run `$0 <command> --help` for a command\'s options.')
    .strict()
    .demandCommand(1, 'Give a command, e.g. `ser-native info`.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(version())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilog('Exit codes: 0 success, 1 the run failed (data, model, LibTorch, device), 2 the command line is wrong (nothing was run), 130 interrupted.')
    .middleware((argv) => {
      const nan = notANumber(argv as Record<string, unknown>, words);
      if (nan) throw nan;
    })
    .fail((msg, err) => {
      if (err) throw err;
      // Unknown flags first: for `--modle` yargs reports the missing --model, not the typo. yargs reuses
      // this instance for the command being parsed, so its options are that command's.
      const unknown = unknownFlags(command ? words.slice(1) : words, knownFlags(cli));
      if (unknown.length > 0) throw new UsageError(unknownFlagsMessage(unknown));
      if (!command && words[0] && !words[0].startsWith('-')) {
        const guess = closest(words[0], COMMANDS.map((c) => c.name));
        throw new UsageError(`Unknown command ${words[0]}${guess ? ` (did you mean ${guess}?)` : `; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`}`);
      }
      throw new UsageError(usageMessage(msg, COMMANDS.find((c) => c.name === command)?.command ?? null));
    });
  for (const c of lazyCommands()) cli = cli.command(c);
  await cli.parseAsync();
}

main().catch((e: unknown) => {
  process.exitCode = reportError(command, e);
});
