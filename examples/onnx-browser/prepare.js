#!/usr/bin/env node
// Builds a folder that runs a ser-native model in the browser with no network access: the model
// exported to ONNX (emotion.onnx), this page, and onnxruntime-web's files copied from node_modules
// (the WebAssembly build only). Then serves the folder on 127.0.0.1 until Ctrl-C.
//   npm run example:onnx-browser -- [--model DIR] [--out DIR] [--port N] [--no-serve]
// --model: a bundle folder (default: the shipped models/default); --out: where to write (default
// tmp/onnx-browser); --port: 0 picks a free port (default 8080); --no-serve: only write the folder.
const { execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { parseArgs } = require('util');

const root = path.resolve(__dirname, '..', '..');
const { values: a } = parseArgs({
  options: { model: { type: 'string' }, out: { type: 'string', default: path.join(root, 'tmp', 'onnx-browser') }, port: { type: 'string', default: '8080' }, 'no-serve': { type: 'boolean', default: false } },
});
const out = path.resolve(a.out);
const cli = path.join(root, 'dist', 'bin', 'ser-native.js');
if (!fs.existsSync(cli)) fail(`${cli} is missing: run \`npm run build\` first`);
let ortDist;
try {
  ortDist = path.dirname(require.resolve('onnxruntime-web'));
} catch {
  fail('onnxruntime-web is not installed: run `npm install` in the repository (it is a devDependency)');
}

fs.mkdirSync(out, { recursive: true });
execFileSync(process.execPath, [cli, 'export', '--onnx', path.join(out, 'emotion.onnx'), ...(a.model ? ['--model', a.model] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
for (const f of ['index.html', 'emotion.js']) fs.copyFileSync(path.join(__dirname, f), path.join(out, f));
// ort.wasm.min.js loads its WebAssembly runtime (an .mjs loader and its .wasm) from ort.env.wasm.wasmPaths.
for (const f of ['ort.wasm.min.js', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) fs.copyFileSync(path.join(ortDist, f), path.join(out, f));
console.log(`wrote ${out}`);
if (a['no-serve']) process.exit(0);

// A static server for that one folder: the .wasm and .mjs need their MIME types to load.
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };
const server = http.createServer((req, res) => {
  const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
  const file = path.join(out, name);
  if (path.dirname(file) !== out || !fs.existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
server.listen(Number(a.port), '127.0.0.1', () => console.log(`serving http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`));

function fail(message) {
  console.error(`example:onnx-browser: ${message}`);
  process.exit(1);
}
