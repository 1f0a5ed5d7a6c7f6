// The ser-native page: microphone → AudioWorklet → 16-bit PCM over the WebSocket (/v1/stream), or a
// dropped WAV → POST /v1/predict?timeline=1 and /v1/spectrogram; probabilities drawn as stacked areas.
// Plain browser JavaScript, no libraries, nothing fetched from elsewhere (works offline).
'use strict';

const COLORS = { neutral: '#9aa5b1', calm: '#2ec4b6', happy: '#ffd166', sad: '#3a86ff', angry: '#ef476f', fearful: '#9b5de5', disgust: '#06d6a0', surprised: '#f8961e' };
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const token = params.get('token') || '';
const authHeaders = token ? { Authorization: `Bearer ${token}` } : {};

// State read by the end-to-end test (test/browser/page.test.ts) as well as by the drawing code.
const state = { labels: [], segments: [], source: null, duration: 0, mic: null };
window.serState = state;

function colorOf(label, i) {
  return COLORS[label] || `hsl(${(i * 47) % 360} 60% 60%)`;
}

function status(text, isError) {
  $('status').textContent = text;
  $('status').classList.toggle('error', !!isError);
}

async function loadModel() {
  const r = await fetch('/v1/model', { headers: authHeaders });
  const m = await r.json();
  if (!r.ok) throw new Error(m.error ? m.error.message : r.statusText);
  state.labels = m.labels;
  $('model').textContent = `${m.labels.length} emotions · ${m.windowSeconds} s windows · ${m.sampleRate / 1000} kHz${m.path ? ` · ${m.path}` : ''}`;
  $('legend').innerHTML = m.labels.map((l, i) => `<li><i style="background:${colorOf(l, i)}"></i>${l}</li>`).join('') + '<li><i style="background:#2a3642"></i>no speech</li>';
}

function showCurrent(seg) {
  if (!seg) return;
  if (!seg.speech) {
    $('current').textContent = '…';
    $('confidence').textContent = 'no speech';
  } else {
    const ranked = Object.entries(seg.probabilities).sort((a, b) => b[1] - a[1]);
    $('current').textContent = seg.emotion || 'uncertain';
    $('current').style.color = colorOf(ranked[0][0], state.labels.indexOf(ranked[0][0]));
    $('confidence').textContent = ranked.slice(0, 3).map(([l, p]) => `${l} ${(100 * p).toFixed(0)}%`).join(' · ');
  }
}

/** Stacked probabilities over time; grey where there was no speech. */
function draw() {
  const c = $('timeline');
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth;
  const h = c.clientHeight;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const segs = state.segments;
  const padL = 34, padB = 20, plotW = w - padL - 8, plotH = h - padB - 8;
  const tEnd = Math.max(state.duration, segs.length ? segs[segs.length - 1].end : 0, 1);
  // A live stream scrolls over its last 30 s; a file is shown whole.
  const tStart = state.source === 'mic' ? Math.max(0, tEnd - 30) : 0;
  const x = (t) => padL + ((t - tStart) / (tEnd - tStart)) * plotW;
  const y = (p) => 8 + (1 - p) * plotH;
  g.fillStyle = '#8a99a6';
  g.font = '11px system-ui, sans-serif';
  for (const p of [0, 0.5, 1]) g.fillText(`${p * 100}%`, 2, y(p) + 4);
  const step = tEnd - tStart > 20 ? 5 : tEnd - tStart > 6 ? 2 : 0.5;
  for (let t = Math.ceil(tStart / step) * step; t <= tEnd; t += step) g.fillText(`${+t.toFixed(1)} s`, x(t) - 8, h - 4);
  const visible = segs.filter((s) => s.end >= tStart);
  if (visible.length === 0) return;
  // Each window is drawn around its centre, one hop wide (the time between window starts).
  const spans = visible.map((s, i) => {
    const mid = (s.start + s.end) / 2;
    const other = visible[i + 1] || visible[i - 1];
    const hop = other ? Math.abs(other.start - s.start) || s.end - s.start : s.end - s.start;
    return [Math.max(tStart, mid - hop / 2), mid + hop / 2];
  });
  visible.forEach((s, i) => {
    const [a, b] = spans[i];
    if (!s.speech) {
      g.fillStyle = '#2a3642';
      g.fillRect(x(a), y(1), Math.max(1, x(b) - x(a)), plotH);
      return;
    }
    let acc = 0;
    state.labels.forEach((l, j) => {
      const p = s.probabilities[l] || 0;
      g.fillStyle = colorOf(l, j);
      g.fillRect(x(a), y(acc + p), Math.max(1, x(b) - x(a) + 0.5), y(acc) - y(acc + p));
      acc += p;
    });
  });
}

function reset(source) {
  state.segments = [];
  state.source = source;
  state.duration = 0;
  draw();
}

async function predictFile(file) {
  if (state.mic) await stopMic();
  reset('file');
  $('timeline-title').textContent = `Emotion over time · ${file.name}`;
  status(`scoring ${file.name} (${(file.size / 1024).toFixed(0)} kB)…`);
  const body = await file.arrayBuffer();
  const post = (url) => fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'audio/wav', ...authHeaders } });
  const [tl, whole, spec] = await Promise.all([post('/v1/predict?timeline=1&hop=0.25'), post('/v1/predict'), post('/v1/spectrogram')]);
  const t = await tl.json();
  if (!tl.ok) throw new Error(t.error ? t.error.message : tl.statusText);
  state.segments = t.segments;
  state.duration = t.segments.length ? t.segments[t.segments.length - 1].end : 0;
  const p = await whole.json();
  showCurrent(whole.ok ? { ...p, speech: p.speech && p.probabilities !== null } : null);
  if (spec.ok) {
    $('spectrogram').src = URL.createObjectURL(await spec.blob());
    $('file-name').textContent = `· ${file.name}`;
    $('spectrogram-box').hidden = false;
  }
  draw();
  status(`${file.name}: ${t.segments.length} windows, ${t.segments.filter((s) => s.speech).length} with speech`);
  document.body.dataset.fileSegments = String(t.segments.length);
}

async function startMic() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule('/worklet.js');
  const src = ctx.createMediaStreamSource(stream);
  const tap = new AudioWorkletNode(ctx, 'pcm-tap', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
  const q = new URLSearchParams({ sampleRate: String(ctx.sampleRate), format: 's16le', hop: '0.5', smoothing: '0.5' });
  if (token) q.set('token', token);
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/stream?${q}`);
  ws.binaryType = 'arraybuffer';
  const mic = { stream, ctx, ws, sent: 0, t0: performance.now() };
  state.mic = mic;
  reset('mic');
  $('timeline-title').textContent = 'Emotion over time · microphone';
  $('spectrogram-box').hidden = true;
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'segment') {
      state.segments.push(m);
      if (state.segments.length > 600) state.segments.shift();
      state.duration = m.end;
      showCurrent(m);
      draw();
      document.body.dataset.micSegments = String((+document.body.dataset.micSegments || 0) + 1);
    } else if (m.type === 'error') status(`stream closed: ${m.message}`, true);
  };
  ws.onclose = (ev) => {
    if (state.mic === mic) stopMic();
    if (ev.code !== 1000 && ev.reason) status(`stream closed (${ev.code}): ${ev.reason}`, true);
  };
  tap.port.onmessage = (ev) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const f = ev.data;
    const pcm = new Int16Array(f.length);
    for (let i = 0; i < f.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(f[i] * 32768)));
    ws.send(pcm.buffer);
    mic.sent += f.length;
    status(`streaming ${(mic.sent / ctx.sampleRate).toFixed(1)} s at ${ctx.sampleRate} Hz`);
  };
  src.connect(tap);
  $('mic').textContent = 'Stop';
  $('mic').classList.add('on');
}

async function stopMic() {
  const mic = state.mic;
  if (!mic) return;
  state.mic = null;
  mic.stream.getTracks().forEach((t) => t.stop());
  await mic.ctx.close().catch(() => {});
  if (mic.ws.readyState === WebSocket.OPEN) mic.ws.send(JSON.stringify({ type: 'end' }));
  $('mic').textContent = 'Use microphone';
  $('mic').classList.remove('on');
}

function wire() {
  $('mic').addEventListener('click', () => (state.mic ? stopMic() : startMic()).catch((e) => status(`microphone: ${e.message}`, true)));
  $('file').addEventListener('change', (ev) => {
    const f = ev.target.files[0];
    if (f) predictFile(f).catch((e) => status(e.message, true));
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    const f = ev.dataTransfer.files[0];
    if (f) predictFile(f).catch((e) => status(e.message, true));
  });
  window.addEventListener('resize', draw);
}

wire();
loadModel()
  .then(() => {
    draw();
    document.body.dataset.ready = '1';
  })
  .catch((e) => status(`cannot load the model: ${e.message}`, true));
