#!/usr/bin/env node
'use strict';
// prebuildify only knows node-gyp; it runs `<node-gyp> rebuild --release ...` and then takes the
// .node file from build/Release. This stand-in answers that call with our cmake-js build,
// made relocatable (no absolute RPATH: the loader preloads LibTorch at run time).
const { build } = require('./build-native');
try {
  build({ prebuild: true, debug: process.argv.includes('--debug') });
} catch (e) {
  process.stderr.write(`ser-native: prebuild failed: ${e.message}\n`);
  process.exit(1);
}
