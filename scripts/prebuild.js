#!/usr/bin/env node
'use strict';
// `npm run prebuild`: prebuildify (with scripts/node-gyp-shim.js as its node-gyp) writes
// prebuilds/<platform>-<arch>/ser-native.napi.node; we add libtorch.json beside it, which names the
// LibTorch version the binary needs at run time. Then a local build is rebuilt with its RPATH.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const prebuildify = require.resolve('prebuildify/bin.js');
const shim = path.join(__dirname, 'node-gyp-shim.js');
const r = spawnSync(process.execPath, [prebuildify, '--napi', '--strip', '--node-gyp', shim], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status || 1);

const outDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const record = JSON.parse(fs.readFileSync(path.join(root, 'build', 'Release', 'libtorch.json'), 'utf8'));
// Only the version and flavour travel with the binary; the build machine's paths do not.
fs.writeFileSync(path.join(outDir, 'libtorch.json'), JSON.stringify({ version: record.version, cuda: record.cuda }, null, 2) + '\n');
// prebuildify leaves the relocatable binary in build/Release; drop it so node-gyp-build prefers prebuilds/
// unless a normal local build is made again (npm run build:native).
fs.rmSync(path.join(root, 'build', 'Release', 'ser_native.node'), { force: true });
console.log(`ser-native: wrote ${path.relative(root, outDir)}/ (${fs.readdirSync(outDir).join(', ')})`);
