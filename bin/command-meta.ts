// What every `ser-native` sub-command is: its name, usage line and description (COMMANDS, in the order
// `--help` lists them), and the shape of a command module. Command modules (bin/commands/*.ts) import their
// meta from here; bin/command-loader.ts loads them on demand, so the two never import each other.
import type { CommandModule } from 'yargs';

export type CommandName = 'train' | 'evaluate' | 'predict' | 'serve' | 'optimize' | 'worker' | 'info' | 'setup' | 'index' | 'features' | 'export';

export interface CommandMeta {
  name: CommandName;
  /** yargs command string, with positionals. */
  command: string;
  describe: string;
}

/** What a command module exports: yargs' builder and handler, plus the API names its flags map to. */
export interface Command<Args = any> extends CommandModule<object, Args> {
  /**
   * API names in lib/'s error messages → the flag that set them, for this parse (e.g. config.epochs →
   * --epochs), so errors name what the user typed. Optional: commands whose lib/ calls already say flags.
   */
  flagNames?: (args: Args) => Record<string, string>;
}

export const COMMANDS: readonly CommandMeta[] = [
  { name: 'train', command: 'train', describe: 'Train the CNN+LSTM emotion model (with no data options: on the synthetic demo corpus)' },
  { name: 'evaluate', command: 'evaluate', describe: 'Evaluate a model bundle on labelled recordings: accuracy, UAR, macro-F1, per class, confusion matrix' },
  { name: 'predict', command: 'predict <files...>', describe: 'Predict the emotion of WAV files (the shipped default model, or --model DIR)' },
  { name: 'serve', command: 'serve', describe: 'Serve predictions over HTTP and WebSocket, with a web page at / (microphone or dropped WAV, live emotion timeline)' },
  {
    name: 'optimize',
    command: 'optimize',
    describe: 'Search training hyper-parameters (SFS-WOA, WOA, SFS, TPE or random search), then retrain the best (with no data options: on the synthetic demo corpus)',
  },
  { name: 'worker', command: 'worker', describe: 'Run the jobs of a Redis queue on this machine: `optimize --queue` evaluations and `train --folds K --queue` trainings (one child process per slot)' },
  { name: 'info', command: 'info', describe: 'Show the package and LibTorch versions, CUDA devices, threads, where the addon came from, and the default model (labels, figures, licence)' },
  { name: 'setup', command: 'setup', describe: 'Install the pinned LibTorch into the per-user cache (SER_NATIVE_HOME, default ~/.cache/ser-native)' },
  {
    name: 'index',
    command: 'index [dir...]',
    describe: 'Index emotional-speech recordings (RAVDESS, SAVEE, TESS, CREMA-D, EmoDB, emotion folders, manifests): counts, skipped files, duplicates',
  },
  { name: 'features', command: 'features <file>', describe: 'Log-mel spectrogram of a WAV file: summary, picture (.png), raw float32 (.f32) or JSON' },
  { name: 'export', command: 'export', describe: 'Export a model bundle as an ONNX graph (log-mel front end included) for onnxruntime in a browser, Python or a service' },
];

export function meta(name: CommandName): CommandMeta {
  return COMMANDS.find((c) => c.name === name)!;
}
