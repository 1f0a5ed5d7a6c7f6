// bullmq/ioredis are optional peer dependencies: loading the package (and optimize) never loads them,
// the queue evaluator and the worker load them on first use, and their absence is a clear error.
import { SerNativeError } from '../../../lib/errors';

afterEach(() => {
  jest.resetModules();
  jest.dontMock('bullmq');
});

test('require(ser-native) and optimize do not load bullmq; the queue evaluator does, once', () => {
  let loads = 0;
  jest.doMock('bullmq', () => {
    loads++;
    return { probe: true };
  });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const lib = require('../../../lib');
    expect(typeof lib.optimize).toBe('function');
    expect(loads).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { bullmq } = require('../../../lib/queue/bullmq');
    expect(bullmq().probe).toBe(true);
    bullmq();
    expect(loads).toBe(1);
  });
});

test('without bullmq installed, queue mode says how to install it', () => {
  jest.doMock('bullmq', () => {
    throw Object.assign(new Error("Cannot find module 'bullmq' from 'lib/queue/bullmq.ts'"), { code: 'MODULE_NOT_FOUND' });
  });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { bullmq } = require('../../../lib/queue/bullmq');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const errors = require('../../../lib/errors') as { SerNativeError: typeof SerNativeError };
    let caught: unknown;
    try {
      bullmq();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(errors.SerNativeError);
    expect((caught as SerNativeError).code).toBe('ERR_DEPENDENCY');
    expect((caught as Error).message).toMatch(/npm install bullmq ioredis/);
  });
});
