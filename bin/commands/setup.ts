import type { CommandModule } from 'yargs';
import { libtorchScripts, setupScripts } from '../../lib/binding';

interface Args {
  cuda: boolean;
  yes: boolean;
  json: boolean;
}

export const setupCommand: CommandModule<object, Args> = {
  command: 'setup',
  describe: 'Install the pinned LibTorch into the per-user cache (SER_NATIVE_HOME, default ~/.cache/ser-native)',
  builder: (y) =>
    y
      .option('cuda', { type: 'boolean', default: false, describe: 'install the CUDA build of LibTorch (several GB) and build the addon against it' })
      .option('yes', { type: 'boolean', default: false, describe: 'do not ask for confirmation (setup never asks today; kept for scripts)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as never,
  handler: (args) => {
    const lt = libtorchScripts();
    const log = args.json ? () => undefined : (line: string) => process.stderr.write(`ser-native: ${line}\n`);
    const result = setupScripts().setup({ cuda: args.cuda, log });
    const out: Record<string, unknown> = { ...result, home: lt.serNativeHome(), pinned: lt.PINNED_VERSION, cuda: args.cuda };
    if (args.cuda) {
      // The prebuilt binary is CPU-only: a CUDA LibTorch needs an addon compiled against it.
      log('building the addon from source against the CUDA LibTorch');
      const { build } = require('../../scripts/build-native.js') as { build: () => { binary: string } };
      process.env.LIBTORCH = `${result.target}/torch`;
      out.builtBinary = build().binary;
    }
    if (args.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    else process.stdout.write(`LibTorch ${result.version} is in ${result.target}${result.bytes ? ` (${(result.bytes / 1e6).toFixed(0)} MB)` : ''}\n`);
  },
};
