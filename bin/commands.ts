// Every `ser-native` sub-command, in the order `--help` lists them. One module per command.
import type { CommandModule } from 'yargs';

export const commands: CommandModule<any, any>[] = [];
