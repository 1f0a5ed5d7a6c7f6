// Runs an ONNX model in onnxruntime-node in its own process (under jest, onnxruntime's
// `instanceof Float32Array` checks fail across realms). Usage: node ort-run.js model.onnx input.bin
// where input.bin is a JSON header line { name, dims, threads? } then float32 data; prints
// { probabilities: number[], ms: number[] } (ms: one timing per repeat when header.repeats is set).
const fs = require('fs');
const ort = require('onnxruntime-node');

(async () => {
  const [file, inputFile] = process.argv.slice(2);
  const bytes = fs.readFileSync(inputFile);
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8'));
  const raw = bytes.subarray(nl + 1);
  const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const opts = header.threads ? { intraOpNumThreads: header.threads, interOpNumThreads: 1 } : {};
  const session = await ort.InferenceSession.create(file, opts);
  const feeds = { [header.name]: new ort.Tensor('float32', data, header.dims) };
  let out = await session.run(feeds);
  const ms = [];
  for (let i = 0; i < (header.repeats || 0); i++) {
    const t = process.hrtime.bigint();
    out = await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  process.stdout.write(JSON.stringify({ probabilities: Array.from(out.probabilities.data), ms }));
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
