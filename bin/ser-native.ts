#!/usr/bin/env node
// The ser-native CLI: parsing only; every command calls into lib/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands';
import { SerNativeError } from '../lib/errors';

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('ser-native')
    .usage('$0 <command> [options]\n\nSpeech emotion recognition on LibTorch. Run `$0 <command> --help` for a command\'s options.')
    .strict()
    .demandCommand(1, 'Give a command, e.g. `ser-native info`.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`ser-native: ${msg}\nRun \`ser-native --help\` for usage.\n`);
      process.exit(2);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

main().catch((e: unknown) => {
  const err = e as Error;
  const code = e instanceof SerNativeError ? ` [${e.code}]` : '';
  process.stderr.write(`ser-native: error${code}: ${err.message}\n`);
  if (process.env.SER_NATIVE_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
