import * as fs from 'fs';
import * as path from 'path';
import { binding, packageRoot, libtorchScripts } from './binding';
import * as is from './is';
import { defaultModelInfo, DefaultModelInfo } from './model/default-model';

export interface Info {
  version: string;
  libtorch: { version: string; path: string; source: string; pinned: string; cuda: boolean };
  cuda: { builtWith: boolean; available: boolean; deviceCount: number; devices: string[]; cudnn: boolean; cudnnVersion: number | null };
  threads: { intraOp: number; interOp: number };
  build: { type: string; binary: string; from: 'prebuilt' | 'local build' };
  /** The model that predict() uses without a path: where, its labels and figures, and its licence. */
  defaultModel: DefaultModelInfo;
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}

/** What this installation is: package and LibTorch versions, CUDA devices, threads, binary origin. */
export function info(): Info {
  const b = binding();
  const n = b.native.info();
  return {
    version: packageVersion(),
    libtorch: { version: n.torchVersion, path: b.libtorch.root, source: b.libtorch.source, pinned: libtorchScripts().PINNED_VERSION, cuda: b.libtorch.cuda },
    cuda: {
      builtWith: n.builtWithCuda,
      available: n.cudaAvailable,
      deviceCount: n.cudaDeviceCount,
      devices: n.cudaDevices,
      cudnn: n.cudnnAvailable,
      cudnnVersion: n.cudnnVersion || null,
    },
    threads: { intraOp: n.numThreads, interOp: n.numInteropThreads },
    build: { type: n.buildType, binary: b.binaryPath, from: b.provenance },
    defaultModel: defaultModelInfo(),
  };
}

/** Sets LibTorch's intra-op thread count for this process (at::set_num_threads). */
export function setNumThreads(threads: number): void {
  is.positiveInteger('threads', threads);
  binding().native.setNumThreads(threads);
}

/**
 * Resolves a device option ('auto' | 'cpu' | 'cuda' | 'cuda:N') to the device that will be used,
 * failing with ERR_DEVICE when CUDA is asked for and is not usable.
 */
export function resolveDevice(device: is.Device | string = 'auto'): string {
  is.device('device', device);
  return binding().native.checkDevice(device);
}
