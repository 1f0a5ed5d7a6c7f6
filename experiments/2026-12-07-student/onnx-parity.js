// One-off: the session-29 student's ONNX export against ser-native on real clips (issue 26's "ONNX export of the student matches to 1e-4").
const path = require('path');
const fs = require('fs');
const { exportOnnx } = require('/work/main/dist/lib/export/onnx');
const { loadModel } = require('/work/main/dist/lib/model/model');
const { decodeAudio } = require('/work/main/dist/lib/audio/decode');
const { execFileSync } = require('child_process'); const os = require('os');
function runOrt(file, name, data, dims) { const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-')), 'input.bin'); fs.writeFileSync(input, Buffer.concat([Buffer.from(JSON.stringify({ name, dims }) + '\n'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)])); return JSON.parse(execFileSync(process.execPath, ['/work/main/test/helpers/ort-run.js', file, input], { encoding: 'utf8', maxBuffer: 1 << 28 })); }
const dir = process.argv[2];
const file = '/tmp/student.onnx';
const r = exportOnnx(dir, file);
const n = r.input.shape[1];

const files = ['Actor_01/03-01-05-02-01-01-01.wav', 'Actor_17/03-01-03-02-01-02-17.wav', 'Actor_20/03-01-04-01-02-02-20.wav', 'Actor_08/03-01-06-01-02-01-08.wav'].map((f) => path.join('/work/shared/data/ravdess', f));
const clips = files.map((f) => { const a = { samples: decodeAudio(f, 16000) }; const x = new Float32Array(n); x.set(a.samples.subarray(0, n)); return x; });
const batch = new Float32Array(clips.length * n); clips.forEach((c, i) => batch.set(c, i * n));
const onnx = runOrt(file, 'samples', batch, [clips.length, n]).probabilities;
const ours = loadModel(dir).probabilities(clips);
console.log(JSON.stringify({ bundle: dir, members: r.members, clips: clips.length, maxAbsDiff: Math.max(...ours.map((p, i) => Math.abs(p - onnx[i]))) }));
