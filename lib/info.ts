import * as fs from 'fs';
import * as path from 'path';
import { binding, packageRoot, libtorchScripts, BlockCacheStats } from './binding';
import * as is from './is';
import { defaultModelInfo, DefaultModelInfo } from './model/default-model';

export interface Info {
  version: string;
  libtorch: { version: string; path: string; source: string; pinned: string; cuda: boolean };
  cuda: { builtWith: boolean; available: boolean; deviceCount: number; devices: string[]; cudnn: boolean; cudnnVersion: number | null };
  threads: { intraOp: number; interOp: number };
  build: { type: string; binary: string; from: 'prebuilt' | 'local build' };
  /** Large tensor blocks reused instead of returned to the C allocator (SER_NATIVE_MALLOC=system turns it off). */
  memory: { blockCache: BlockCacheStats };
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
    memory: { blockCache: n.blockCache },
    defaultModel: defaultModelInfo(),
  };
}

/**
 * Gives idle memory back to the OS: freed tensor blocks kept for reuse, and the C allocator's free
 * pages. Useful in a long-running service between bursts (serve calls it after 2 s without work);
 * the next large prediction or epoch allocates again. Returns the bytes the block cache held.
 */
export function releaseMemory(): number {
  return binding().native.releaseMemory();
}

