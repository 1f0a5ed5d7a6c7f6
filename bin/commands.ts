// Every `ser-native` sub-command, in the order `--help` lists them. One module per command.
import type { CommandModule } from 'yargs';
import { featuresCommand } from './commands/features';
import { indexCommand } from './commands/index';
import { infoCommand } from './commands/info';
import { setupCommand } from './commands/setup';
import { trainCommand } from './commands/train';
import { evaluateCommand } from './commands/evaluate';
import { predictCommand } from './commands/predict';
import { optimizeCommand } from './commands/optimize';
import { workerCommand } from './commands/worker';
import { serveCommand } from './commands/serve';

export const commands: CommandModule<any, any>[] = [
  trainCommand,
  evaluateCommand,
  predictCommand,
  serveCommand,
  optimizeCommand,
  workerCommand,
  infoCommand,
  setupCommand,
  indexCommand,
  featuresCommand,
];
