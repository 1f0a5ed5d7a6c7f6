// The addon loads, describes itself, and turns every native failure into a JS error.
import { info, setNumThreads, resolveDevice, SerNativeError } from '../../lib';
import { native } from '../../lib/binding';

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

  test('a c10::Error inside LibTorch becomes a SerNativeError, and Node keeps running', () => {
    let caught: unknown;
    try {
      native().raiseTorchError();
    } catch (e) {
      caught = e;
    }
    // Raw addon errors come from Node's realm, not jest's, so check the name rather than instanceof.
    expect((caught as Error).name).toBe('Error');
    expect((caught as Error).message).toMatch(/mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/);
    // The process is still healthy: the next native call works.
    expect(info().libtorch.version).toBeTruthy();
  });

  test('bad arguments are TypeErrors naming the argument, in JS and in C++', () => {
    expect(() => setNumThreads(-1 as number)).toThrow(/positive integer for threads/);
    expect(() => setNumThreads('2' as unknown as number)).toThrow(TypeError);
    // Bypass the JS validation: the C++ boundary checks too.
    let raw: unknown;
    try {
      native().setNumThreads(0);
    } catch (e) {
      raw = e;
    }
    expect((raw as Error).name).toBe('TypeError');
    expect((raw as Error).message).toMatch(/positive integer for threads/);
    expect(() => (native().checkDevice as unknown as (x: unknown) => string)(42)).toThrow(/Expected string for device/);
  });

  test('setNumThreads changes LibTorch threads', () => {
    const before = info().threads.intraOp;
    setNumThreads(1);
    expect(info().threads.intraOp).toBe(1);
    setNumThreads(before);
  });

  test("device 'auto' and 'cpu' resolve; CUDA without CUDA is a clear error", () => {
    expect(resolveDevice('cpu')).toBe('cpu');
    const auto = resolveDevice('auto');
    expect(auto === 'cpu' || auto.startsWith('cuda')).toBe(true);
    expect(() => resolveDevice('gpu')).toThrow(TypeError);
    if (!info().cuda.available) {
      let err: unknown;
      try {
        resolveDevice('cuda:0');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SerNativeError);
      expect((err as SerNativeError).code).toBe('ERR_DEVICE');
      expect((err as Error).message).toMatch(/device 'cuda:0'/);
    }
  });
});
