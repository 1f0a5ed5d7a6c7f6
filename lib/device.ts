// Devices and threads: resolving a device option against this build and machine, and LibTorch's
// intra-op thread count. Low in the layers (lib/model resolves its device here); info() is in lib/info.ts.
import { binding } from './binding';
import * as is from './is';

/** Sets LibTorch's intra-op thread count for this process (at::set_num_threads). */
export function setNumThreads(threads: number): void {
  is.positiveInteger('threads', threads);
  binding().native.setNumThreads(threads);
}

/**
 * The thread policy of small forwards: a prediction of at most `windows` windows (one 3.5 s clip is
 * one window) runs on one LibTorch intra-op thread, larger ones on all of them; 0 turns the policy
 * off. One window's small convolutions run slower split over two threads than on one
 * (docs/benchmarks.md); results do not depend on it beyond float rounding. Returns the previous value.
 */
export function setSerialForwardWindows(windows: number): number {
  is.number('windows', windows, { min: 0, max: 1e9, integer: true });
  return binding().native.setSerialForwardWindows(windows);
}

/**
 * Resolves a device option ('auto' | 'cpu' | 'cuda' | 'cuda:N') to the device that will be used,
 * failing with ERR_DEVICE when CUDA is asked for and is not usable.
 */
export function resolveDevice(device: is.Device | string = 'auto'): string {
  is.device('device', device);
  return binding().native.checkDevice(device);
}
