// `ser-native setup`: installs the pinned LibTorch into the per-user cache (never asks: it is what the
// command is for, and the first use of the package does the same unasked).
import { SerNativeError } from '../../lib/errors';
import { meta, type Command } from '../command-meta';

interface Args {
  cuda: boolean;
  json: boolean;
}

export const setupCommand: Command<Args> = {
  ...meta('setup'),
  builder: (y) =>
    y
      .option('cuda', { type: 'boolean', default: false, describe: 'install the CUDA build of LibTorch (several GB) and build the addon against it' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as never,
  handler: async (args) => {
    const { libtorchScripts, setupScripts } = await import('../../lib/binding');
    const lt = libtorchScripts();
    const log = args.json ? () => undefined : (line: string) => process.stderr.write(`ser-native setup: ${line}\n`);
    let result: ReturnType<ReturnType<typeof setupScripts>['setup']>;
    try {
      result = setupScripts().setup({ cuda: args.cuda, log });
    } catch (e) {
      // scripts/setup.js's SetupError (no python3, pip failed, not the pinned version) or a cache folder that
      // cannot be written: LibTorch is not there, and the message says why (as on first use, lib/binding.ts).
      const code = (e as { code?: unknown }).code;
      if ((e as Error).name === 'SetupError' || (typeof code === 'string' && /^E[A-Z]+$/.test(code))) throw new SerNativeError('ERR_LIBTORCH_NOT_FOUND', (e as Error).message, { cause: e });
      throw e;
    }
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
