#!/usr/bin/env node
'use strict';
// The package's install script. Not required: with install scripts skipped (pnpm, bun, npm
// --ignore-scripts) the prebuilt addon and first-use LibTorch setup do the same work later.
// What it does: when a prebuilt binary matches this platform, nothing (LibTorch is found or set
// up on first use); otherwise build from source with cmake-js (scripts/build-native.js), which
// installs the pinned LibTorch into the per-user cache if none is found.
const path = require('path');
const root = path.resolve(__dirname, '..');

function hasBinary() {
  try {
    require('node-gyp-build').resolve(root);
    return true;
  } catch {
    return false;
  }
}

if (process.env.SER_NATIVE_BUILD_FROM_SOURCE !== '1' && hasBinary()) {
  process.exit(0);
}
try {
  require('./build-native').build();
} catch (e) {
  process.stderr.write(`ser-native: could not build the native addon: ${e.message}\n`);
  process.exit(1);
}
