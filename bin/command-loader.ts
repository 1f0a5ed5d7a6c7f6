// Every `ser-native` sub-command, loaded on demand. Only the name and one-line description (bin/command-meta.ts)
// are read up front: a command's module (its options, and through its handler lib/, the addon, LibTorch, BullMQ)
// is loaded when that command runs or shows its own --help, so `ser-native --help` loads none of them.
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS, type Command, type CommandName } from './command-meta';
import { withFlagNames } from './errors';

export { COMMANDS };

/** The module of one command, required on first use (static strings, so bundlers and checkDist can follow them). */
export function loadCommand(name: CommandName): Command {
  /* eslint-disable @typescript-eslint/no-var-requires */
  switch (name) {
    case 'train':
      return require('./commands/train').trainCommand;
    case 'evaluate':
      return require('./commands/evaluate').evaluateCommand;
    case 'predict':
      return require('./commands/predict').predictCommand;
    case 'serve':
      return require('./commands/serve').serveCommand;
    case 'optimize':
      return require('./commands/optimize').optimizeCommand;
    case 'worker':
      return require('./commands/worker').workerCommand;
    case 'info':
      return require('./commands/info').infoCommand;
    case 'setup':
      return require('./commands/setup').setupCommand;
    case 'index':
      return require('./commands/index-corpus').indexCommand;
    case 'features':
      return require('./commands/features').featuresCommand;
    case 'export':
      return require('./commands/export').exportCommand;
  }
}

/**
 * yargs command modules whose builder and handler load the real module on demand. Errors of the handler
 * get the command's flag names; the entry point reports them.
 */
export function lazyCommands(): CommandModule<object, any>[] {
  return COMMANDS.map((m) => ({
    command: m.command,
    describe: m.describe,
    builder: (y: Argv<object>) => {
      const b = loadCommand(m.name).builder;
      return (typeof b === 'function' ? b(y) : y.options(b ?? {})) as Argv<any>;
    },
    handler: async (args: any) => {
      const c = loadCommand(m.name);
      try {
        await c.handler(args);
      } catch (e) {
        throw c.flagNames ? withFlagNames(e, c.flagNames(args)) : e;
      }
    },
  }));
}

