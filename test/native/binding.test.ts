// The addon loads, describes itself, and turns every native failure into a JS error.
import { info, setNumThreads, resolveDevice, SerNativeError } from '../../lib';
import { spawnSync } from 'child_process';
import { native, NativeModelConfig, EpochRequest } from '../../lib/binding';
import { checkDist, cli } from '../helpers/dist';

/** What `fn` threw (or its promise rejected with). */
async function caught(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

const tinyModel: NativeModelConfig = {
  nMels: 8, nClasses: 3, channels: [4, 4, 4, 4], poolFreq: [1, 1, 1, 1], poolTime: [1, 1, 1, 1], convDropout: 0, activation: 'relu',
  lstmHidden: 4, lstmLayers: 1, bidirectional: false, lstmDropout: 0, headDropout: 0, pooling: 'mean',
};
const epoch: EpochRequest = { batchSize: 2, seed: 1, freqMasks: 0, freqMaskWidth: 0, timeMasks: 0, timeMaskWidth: 0, mixupAlpha: 0 };
const optimizer = { lr: 1e-3, beta1: 0.9, beta2: 0.999, weightDecay: 0, decoupledWeightDecay: false, clipNorm: 0, labelSmoothing: 0, classWeights: null };

describe('native addon', () => {
  test('info() reports the LibTorch it runs on and the binary it loaded', () => {
    const i = info();
    expect(i.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(i.libtorch.version).toMatch(/^2\.\d+\.\d+$/);
    expect(i.libtorch.path).toBeTruthy();
    expect(typeof i.cuda.available).toBe('boolean');
    expect(i.cuda.deviceCount).toBe(i.cuda.devices.length);
    expect(i.threads.intraOp).toBeGreaterThanOrEqual(1);
    expect(['prebuilt', 'local build']).toContain(i.build.from);
    expect(i.build.binary).toMatch(/\.node$/);
  });

  test('the block cache serves repeated large tensors from freed blocks; SER_NATIVE_MALLOC=system turns it off', async () => {
    // 8 windows of 64 mels × 301 frames through a 24-channel conv: activations of ~15 MB each.
    const config: NativeModelConfig = { ...tinyModel, nMels: 64, channels: [24, 24, 24, 24], poolFreq: [2, 2, 2, 2], poolTime: [2, 2, 2, 1] };
    const model = new (native().NativeModel)(config, 'cpu', 3);
    const features = Float32Array.from({ length: 8 * 64 * 301 }, (_, i) => Math.sin(i * 0.37) * 20 - 40);
    const first = model.predict(features, 8, 301);
    const before = info().memory.blockCache;
    const second = model.predict(features, 8, 301);
    const after = info().memory.blockCache;
    expect(before.enabled).toBe(true);
    expect(after.hits - before.hits).toBeGreaterThan(0);
    expect(after.misses).toBe(before.misses); // the second pass needed no new block
    expect(after.idleBytes).toBeLessThanOrEqual(768 * 2 ** 20);
    expect(Array.from(second)).toEqual(Array.from(first));
    // releaseMemory() frees the idle blocks (a service between bursts); the next call allocates again.
    expect(native().releaseMemory()).toBe(after.idleBytes);
    expect(info().memory.blockCache).toMatchObject({ idleBytes: 0, idleBlocks: 0 });
    expect(Array.from(model.predict(features, 8, 301))).toEqual(Array.from(first));
    expect(info().memory.blockCache.misses).toBeGreaterThan(after.misses);
    // The opt-out, in a fresh process (the allocator is chosen once, at load).
    checkDist();
    const child = spawnSync(process.execPath, [cli, 'info', '--json'], { env: { ...process.env, SER_NATIVE_MALLOC: 'system' }, encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout).memory.blockCache).toEqual({ enabled: false, hits: 0, misses: 0, idleBytes: 0, idleBlocks: 0 });
  });

  test('a c10::Error inside LibTorch is thrown by the addon itself as SerNativeError ERR_TORCH, and Node keeps running', async () => {
    const e = await caught(() => native().raiseTorchError());
    // The addon throws the class lib/binding.ts handed it (initialize), with the code set in C++.
    expect(e).toBeInstanceOf(SerNativeError);
    expect(e.code).toBe('ERR_TORCH');
    expect(e.message).toMatch(/mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/);
    expect(e.message).not.toMatch(/Exception raised from/); // no C++ backtrace
    // The process is still healthy: the next native call works.
    expect(info().libtorch.version).toBeTruthy();
  });

  test('bad arguments are TypeErrors with code ERR_ARGUMENT naming the argument, in JS and in C++', async () => {
    expect(() => setNumThreads(-1 as number)).toThrow(/positive integer for threads/);
    expect(() => setNumThreads('2' as unknown as number)).toThrow(TypeError);
    // Bypass the JS validation: the C++ boundary checks too, and the error is this realm's TypeError.
    const raw = await caught(() => native().setNumThreads(0));
    expect(raw).toBeInstanceOf(TypeError);
    expect(raw.code).toBe('ERR_ARGUMENT');
    expect(raw.message).toMatch(/positive integer for threads/);
    const device = await caught(() => (native().checkDevice as (x: unknown) => string)(42));
    expect(device).toBeInstanceOf(TypeError);
    expect(device.message).toMatch(/Expected string for device/);
    const config = await caught(() => new (native().NativeModel)({ ...tinyModel, activation: 'swish' }, 'cpu', 1));
    expect(config).toBeInstanceOf(TypeError);
    expect(config.code).toBe('ERR_ARGUMENT');
    expect(config.message).toMatch(/activation/);
  });

  test('errors of async native work (libuv pool) are coded too: a bad label rejects with ERR_ARGUMENT', async () => {
    const m = new (native().NativeModel)(tinyModel, 'cpu', 1);
    m.configureOptimizer(optimizer);
    const features = new Float32Array(4 * 8 * 10).fill(0.5);
    const e = await caught(() => m.trainEpoch(features, Int32Array.from([0, 1, 2, 7]), 4, 10, epoch));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.code).toBe('ERR_ARGUMENT');
    expect(e.message).toMatch(/labels must be in \[0, nClasses\)/);
  });

  test('a model used while it trains fails with ERR_BUSY; cancel() stops the epoch, which resolves with cancelled: true', async () => {
    const m = new (native().NativeModel)(tinyModel, 'cpu', 1);
    m.configureOptimizer(optimizer);
    const n = 2000;
    const features = new Float32Array(n * 8 * 10).map((_, i) => Math.sin(i));
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const one = features.subarray(0, 80);
    let sync: unknown;
    let async: Promise<unknown> | undefined;
    let settled = false;
    const stats = await m.trainEpoch(features, labels, n, 10, epoch, () => {
      // Cancel only once the async call has settled, so it certainly ran while the epoch held the model.
      if (settled) m.cancel();
      if (sync !== undefined) return;
      // The epoch holds the model on the libuv pool: sync and async calls are both refused, coded in C++.
      try {
        m.predict(one, 1, 10);
        sync = 'no error';
      } catch (e) {
        sync = e;
      }
      async = m.predictAsync(one, 1, 10).then(
        () => 'no error',
        (e) => e,
      ).finally(() => (settled = true));
    });
    expect(sync).toBeInstanceOf(SerNativeError);
    expect((sync as SerNativeError).code).toBe('ERR_BUSY');
    const rejected = await async;
    expect(rejected).toBeInstanceOf(SerNativeError);
    expect((rejected as SerNativeError).code).toBe('ERR_BUSY');
    expect(stats.cancelled).toBe(true);
    expect(stats.batches).toBeLessThan(n / epoch.batchSize);
    // Idle again: predict works.
    expect(m.predict(features.subarray(0, 80), 1, 10)).toHaveLength(3);
  });

  test('weights of another architecture fail with ERR_MODEL', async () => {
    const a = new (native().NativeModel)(tinyModel, 'cpu', 1);
    const b = new (native().NativeModel)({ ...tinyModel, lstmHidden: 6 }, 'cpu', 1);
    const e = await caught(() => b.setState(a.getState()));
    expect(e).toBeInstanceOf(SerNativeError);
    expect(e.code).toBe('ERR_MODEL');
    expect(e.message).toMatch(/do not fit this model/);
  });

  test('setNumThreads changes LibTorch threads', () => {
    const before = info().threads.intraOp;
    setNumThreads(1);
    expect(info().threads.intraOp).toBe(1);
    setNumThreads(before);
  });

  test("device 'auto' and 'cpu' resolve; CUDA without CUDA is a clear ERR_DEVICE", async () => {
    expect(resolveDevice('cpu')).toBe('cpu');
    const auto = resolveDevice('auto');
    expect(auto === 'cpu' || auto.startsWith('cuda')).toBe(true);
    expect(() => resolveDevice('gpu')).toThrow(TypeError);
    if (!info().cuda.available) {
      for (const call of [() => resolveDevice('cuda:0'), () => native().checkDevice('cuda'), () => new (native().NativeModel)(tinyModel, 'cuda:0', 1)]) {
        const err = await caught(call);
        expect(err).toBeInstanceOf(SerNativeError);
        expect(err.code).toBe('ERR_DEVICE');
        expect(err.message).toMatch(/device 'cuda(:0)?'/);
      }
    }
  });
});
