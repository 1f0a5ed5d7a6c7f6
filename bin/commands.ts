// Every `ser-native` sub-command, in the order `--help` lists them. One module per command.
import type { CommandModule } from 'yargs';
import { indexCommand } from './commands/index';
import { infoCommand } from './commands/info';
import { setupCommand } from './commands/setup';

export const commands: CommandModule<any, any>[] = [
  infoCommand,
  setupCommand,
  indexCommand,
];
