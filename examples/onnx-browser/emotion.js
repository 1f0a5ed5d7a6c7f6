// Loads emotion.onnx (written by `ser-native export --onnx`), reads its metadata (labels, sample
// rate, window length), decodes an audio file with Web Audio at the model's rate, and scores the
// middle window of the clip. The graph does the log-mel, normalisation, network and calibration.
// The last result is also in document.body.dataset.probabilities (JSON, unrounded) and
// window.emotionRun ({ file, samples, probabilities }), for scripts and test/browser/onnx-example.test.ts.
/* global ort */
const status = document.getElementById('status');
(async () => {
  // The WebAssembly files sit next to this page; one thread needs no cross-origin isolation.
  ort.env.wasm.wasmPaths = new URL('./', location.href).href;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create('emotion.onnx');
  // Metadata is not exposed by every onnxruntime-web version: fetch and parse it ourselves if needed.
  const meta = await readMetadata('emotion.onnx');
  const labels = JSON.parse(meta.labels);
  const sampleRate = Number(meta.sample_rate);
  const windowSamples = Math.round(Number(meta.clip_seconds) * sampleRate);
  status.textContent = `ready: ${labels.join(', ')} (${sampleRate} Hz, ${meta.clip_seconds} s windows)`;
  document.body.dataset.ready = '1';

  document.getElementById('file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const ctx = new OfflineAudioContext(1, 1, sampleRate);
    const decoded = await ctx.decodeAudioData(await file.arrayBuffer()); // resampled to sampleRate
    // Mono as ser-native reads it: the mean of the channels.
    const mono = new Float32Array(decoded.length);
    for (let c = 0; c < decoded.numberOfChannels; c++) decoded.getChannelData(c).forEach((v, i) => (mono[i] += v / decoded.numberOfChannels));
    // One window: the middle of the clip, zero-padded when shorter (as ser-native pads short clips).
    const x = new Float32Array(windowSamples);
    const start = Math.max(0, Math.floor((mono.length - windowSamples) / 2));
    x.set(mono.subarray(start, start + windowSamples));
    const t = performance.now();
    const out = await session.run({ samples: new ort.Tensor('float32', x, [1, windowSamples]) });
    const p = out.probabilities.data;
    window.emotionRun = { file: file.name, samples: x, probabilities: Array.from(p) };
    document.body.dataset.probabilities = JSON.stringify(Array.from(p));
    const rows = labels.map((l, i) => [l, p[i]]).sort((a, b) => b[1] - a[1]);
    document.getElementById('result').innerHTML = rows.map(([l, v]) => `<tr><td>${l}</td><td>${(100 * v).toFixed(1)} %</td></tr>`).join('');
    status.textContent = `${file.name}: ${rows[0][0]} (${(performance.now() - t).toFixed(0)} ms)`;
  });
})().catch((e) => {
  status.textContent = `error: ${e.message}`;
  document.body.dataset.error = e.message;
});

/** metadata_props of an ONNX file (field 14 of ModelProto: StringStringEntryProto key 1, value 2), read with a minimal protobuf walk. */
async function readMetadata(url) {
  const b = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const props = {};
  let i = 0;
  const varint = () => {
    let v = 0;
    let s = 1;
    for (;;) {
      const c = b[i++];
      v += (c & 0x7f) * s;
      s *= 128;
      if (c < 0x80) return v;
    }
  };
  const text = (a, z) => new TextDecoder().decode(b.subarray(a, z));
  while (i < b.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      const end = i + len;
      if (field === 14) {
        let k = '';
        let v = '';
        while (i < end) {
          const kk = varint();
          const l = varint();
          if (kk >> 3 === 1) k = text(i, i + l);
          else if (kk >> 3 === 2) v = text(i, i + l);
          i += l;
        }
        props[k] = v;
      }
      i = end;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return props;
}
