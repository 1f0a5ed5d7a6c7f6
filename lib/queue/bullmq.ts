// bullmq (with its ioredis) is an optional peer dependency: only the queues (optimize --queue, train --folds K --queue) and
// `ser-native worker` need it, so it is required on first use here, never when the package loads.
import type * as BullMQ from 'bullmq';
import { SerNativeError } from '../errors';

let loaded: typeof BullMQ | undefined;

/** The bullmq module, or ERR_DEPENDENCY saying how to install it. */
export function bullmq(): typeof BullMQ {
  if (loaded) return loaded;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    loaded = require('bullmq') as typeof BullMQ;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    throw new SerNativeError(
      'ERR_DEPENDENCY',
      `optimize --queue, train --queue and \`ser-native worker\` need the optional packages bullmq and ioredis, which are not installed (${(e as Error).message.split('\n')[0]}): run npm install bullmq ioredis`,
      { cause: e },
    );
  }
  return loaded;
}
