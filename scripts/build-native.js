#!/usr/bin/env node
'use strict';
// Builds the addon from source with cmake-js against the LibTorch that scripts/libtorch.js finds
// (installing the pinned wheel into the per-user cache when there is none), and records which
// LibTorch it used next to the binary so the loader preloads that same one.
//
// Usage: node scripts/build-native.js [--prebuild] [--debug]

const fs = require('fs');
const path = require('path');
const os = require('os');
const { spawnSync } = require('child_process');
const libtorch = require('./libtorch');
const { setup } = require('./setup');

const root = path.resolve(__dirname, '..');

function log(line) {
  process.stderr.write(`ser-native: ${line}\n`);
}

function findLibTorch() {
  let found = libtorch.locateForBuild();
  if (!found) {
    if (process.env.SER_NATIVE_NO_AUTO_SETUP === '1') {
      throw new Error('no LibTorch found and SER_NATIVE_NO_AUTO_SETUP=1: set LIBTORCH, or run `npx ser-native setup`.');
    }
    log('no LibTorch found (LIBTORCH, Torch_DIR, CMAKE_PREFIX_PATH, python3 torch, cache, system); installing the pinned one');
    setup({ log });
    found = libtorch.locateForBuild();
    if (!found) throw new Error('LibTorch was installed but cannot be found afterwards; please report this.');
  }
  if (!found.cmakePrefix) throw new Error(`LibTorch at ${found.root} has no share/cmake/Torch: it cannot be built against.`);
  return found;
}

function build({ prebuild = false, debug = false } = {}) {
  const torch = findLibTorch();
  log(`using LibTorch ${torch.version} (${torch.cuda ? 'CUDA' : 'CPU'}) from ${torch.root} [found via ${torch.source}]`);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const common = ['--directory', root, `--CDCMAKE_PREFIX_PATH=${torch.cmakePrefix}`, `--CDSER_PREBUILD=${prebuild ? 'ON' : 'OFF'}`];
  if (debug) common.push('--debug');
  if (process.env.CUDA_TOOLKIT_ROOT_DIR) common.push(`--CDCUDA_TOOLKIT_ROOT_DIR=${process.env.CUDA_TOOLKIT_ROOT_DIR}`);
  if (process.env.CUDA_nvrtc_LIBRARY) common.push(`--CDCUDA_nvrtc_LIBRARY=${process.env.CUDA_nvrtc_LIBRARY}`);
  // Configure every time (a few seconds): `cmake-js build` alone would keep stale cache options.
  for (const step of [['configure'], ['build', '--parallel', String(Math.max(1, Math.min(os.cpus().length, 4)))]]) {
    const r = spawnSync(process.execPath, [cmakeJs, ...step, ...common], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`cmake-js ${step[0]} failed (exit ${r.status}); see the output above.`);
  }
  const outDir = path.join(root, 'build', debug ? 'Debug' : 'Release');
  const binary = path.join(outDir, 'ser_native.node');
  if (!fs.existsSync(binary)) throw new Error(`the build finished but ${binary} is missing`);
  const record = { version: torch.version, cuda: torch.cuda, root: torch.root, libDir: torch.libDir, source: torch.source, builtAt: new Date().toISOString() };
  fs.writeFileSync(path.join(outDir, 'libtorch.json'), JSON.stringify(record, null, 2) + '\n');
  log(`built ${path.relative(root, binary)} against LibTorch ${torch.version}${torch.cuda ? ' with CUDA' : ''}`);
  return { binary, libtorch: record };
}

module.exports = { build };

if (require.main === module) {
  try {
    build({ prebuild: process.argv.includes('--prebuild'), debug: process.argv.includes('--debug') });
  } catch (e) {
    log(`build failed: ${e.message}`);
    process.exit(1);
  }
}
