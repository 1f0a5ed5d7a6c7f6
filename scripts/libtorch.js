'use strict';
// Finding LibTorch, for the build (scripts/build-native.js) and at run time (lib/binding.ts).
// Plain JavaScript on purpose: the install script runs before TypeScript is compiled.
//
// A "LibTorch root" is a folder with include/, lib/ and share/cmake/Torch: an unpacked
// libtorch archive, the `torch` folder of a PyTorch wheel, or /usr for Debian's libtorch-dev.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

/** The LibTorch version the published prebuilt addon is compiled against (as tch-rs pins it). */
const PINNED_VERSION = '2.13.0';
/** The pip requirement `ser-native setup` installs (the CPU wheel carries a complete LibTorch). */
const PINNED_WHEEL = { cpu: `torch==${PINNED_VERSION}+cpu`, cuda: `torch==${PINNED_VERSION}` };

function serNativeHome() {
  return process.env.SER_NATIVE_HOME || path.join(os.homedir(), '.cache', 'ser-native');
}

/** Folder of the per-user cache where setup installs the pinned wheel (cpu or cuda flavour). */
function cacheTarget(flavour = 'cpu') {
  return path.join(serNativeHome(), `torch-${PINNED_VERSION}-${flavour}`);
}

function isFile(p) {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}
function isDir(p) {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/** Shared-library folder of a LibTorch root (Debian keeps them in lib/<multiarch>). */
function libDirOf(root) {
  for (const dir of [path.join(root, 'lib'), path.join(root, 'lib', 'x86_64-linux-gnu'), path.join(root, 'lib', 'aarch64-linux-gnu')]) {
    if (isFile(path.join(dir, 'libtorch_cpu.so')) || isFile(path.join(dir, 'libtorch_cpu.dylib'))) return dir;
  }
  return null;
}

/** Version of a LibTorch root, read from the files each distribution ships ('2.13.0'), or null. */
function versionOf(root) {
  const versionPy = path.join(root, 'version.py'); // PyTorch wheel
  if (isFile(versionPy)) {
    const m = /__version__\s*=\s*'([^']+)'/.exec(fs.readFileSync(versionPy, 'utf8'));
    if (m) return m[1].split('+')[0];
  }
  const buildVersion = path.join(root, 'build-version'); // libtorch archive
  if (isFile(buildVersion)) return fs.readFileSync(buildVersion, 'utf8').trim().split('+')[0];
  for (const header of ['include/torch/headeronly/version.h', 'include/torch/csrc/api/include/torch/version.h']) {
    const file = path.join(root, header);
    if (!isFile(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const part = (name) => (new RegExp(`#define TORCH_VERSION_${name}\\s+(\\d+)`).exec(text) || [])[1];
    if (part('MAJOR') !== undefined) return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  }
  return null;
}

/** Describes a LibTorch root, or returns null when the folder is not one. */
function describe(root, source) {
  if (!root) return null;
  root = path.resolve(root);
  const libDir = libDirOf(root);
  if (!libDir) return null;
  const cmakeDir = [path.join(root, 'share', 'cmake'), path.join(root, 'lib', 'x86_64-linux-gnu', 'cmake')].find((d) => isDir(path.join(d, 'Torch')));
  return {
    root,
    libDir,
    cmakePrefix: cmakeDir || null,
    version: versionOf(root),
    cuda: isFile(path.join(libDir, 'libtorch_cuda.so')),
    source,
  };
}

/** A folder given by the user may be the libtorch root, a wheel target (holding torch/), or share/cmake. */
function describeUserFolder(folder, source) {
  const candidates = [folder, path.join(folder, 'torch'), path.resolve(folder, '..', '..'), path.resolve(folder, '..', '..', '..')];
  for (const c of candidates) {
    const d = describe(c, source);
    if (d) return d;
  }
  return null;
}

/** python3's torch, if any: { root } from `torch.__file__`. */
function fromPython() {
  const python = process.env.PYTHON || 'python3';
  const r = spawnSync(python, ['-c', 'import os, torch; print(os.path.dirname(torch.__file__))'], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0 || !r.stdout) return null;
  return describe(r.stdout.trim().split('\n').pop(), 'python3 torch');
}

function fromSystem() {
  for (const root of ['/usr', '/usr/local']) {
    const d = describe(root, 'system');
    if (d) return d;
  }
  return null;
}

function fromCache() {
  for (const flavour of ['cpu', 'cuda']) {
    const target = cacheTarget(flavour);
    // setup writes COMPLETE last, so a half-installed wheel is never used.
    if (!isFile(path.join(target, 'COMPLETE'))) continue;
    const d = describe(path.join(target, 'torch'), `cache (${serNativeHome()})`);
    if (d) return d;
  }
  return null;
}

/**
 * Build-time discovery (README, "Finding LibTorch"): LIBTORCH → Torch_DIR / CMAKE_PREFIX_PATH →
 * python3's torch → the per-user cache → a system LibTorch. Returns null when nothing is found
 * (the caller then installs the pinned wheel into the cache).
 */
function locateForBuild() {
  if (process.env.LIBTORCH) {
    const d = describeUserFolder(process.env.LIBTORCH, 'LIBTORCH');
    if (!d) throw new Error(`LIBTORCH=${process.env.LIBTORCH} is not a LibTorch folder (expected include/, lib/libtorch_cpu.so and share/cmake/Torch).`);
    return d;
  }
  for (const name of ['Torch_DIR', 'CMAKE_PREFIX_PATH']) {
    if (!process.env[name]) continue;
    for (const entry of process.env[name].split(path.delimiter).filter(Boolean)) {
      const d = describeUserFolder(entry, name);
      if (d) return d;
    }
  }
  return fromPython() || fromCache() || fromSystem();
}

/**
 * Run-time discovery for a binary built against `wanted` (README, "Finding LibTorch"):
 * LIBTORCH → the per-user cache → python3's torch → a system LibTorch, each only when its
 * version matches. Returns { found, rejected } where rejected lists candidates of another version.
 */
function locateForRuntime(wanted) {
  const rejected = [];
  const accept = (d) => {
    if (!d) return null;
    if (wanted && d.version !== wanted) {
      rejected.push(d);
      return null;
    }
    return d;
  };
  if (process.env.LIBTORCH) {
    const d = describeUserFolder(process.env.LIBTORCH, 'LIBTORCH');
    if (!d) throw new Error(`LIBTORCH=${process.env.LIBTORCH} is not a LibTorch folder (expected include/, lib/libtorch_cpu.so and share/cmake/Torch).`);
    // An explicit LIBTORCH is never silently skipped: a mismatch is reported, not bypassed.
    return { found: accept(d), rejected };
  }
  const found = accept(fromCache()) || accept(fromPython()) || accept(fromSystem());
  return { found, rejected };
}

/** The shared libraries to load, in dependency order, before the addon (see lib/binding.ts). */
function preloadList(d) {
  const names = ['libc10.so', 'libtorch_cpu.so', 'libc10_cuda.so', 'libtorch_cuda.so', 'libtorch.so'];
  return names.map((n) => path.join(d.libDir, n)).filter(isFile);
}

module.exports = {
  PINNED_VERSION,
  PINNED_WHEEL,
  serNativeHome,
  cacheTarget,
  describe,
  describeUserFolder,
  versionOf,
  locateForBuild,
  locateForRuntime,
  preloadList,
};
