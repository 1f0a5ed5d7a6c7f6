// The HTTP/WebSocket API against a real server on an ephemeral localhost port: predictions equal the
// library's, client errors are 4xx JSON or WebSocket closes with a reason, limits hold, and the
// server keeps serving after every bad request.
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { loadModel } from '../../lib/model/model';
import { encodeWav } from '../../lib/audio/wav';
import { decodeAudio } from '../../lib/audio/decode';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { createServer } from '../../lib/serve/server';
import { untrainedBundle } from '../helpers/bundles';

// Response bodies are read as loosely typed JSON here (the assertions check their shape).
type Reply = Omit<Awaited<ReturnType<typeof globalThis.fetch>>, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const fetch = globalThis.fetch as unknown as (...a: Parameters<typeof globalThis.fetch>) => Promise<Reply>;
type Payload = Buffer | string | FormData | undefined;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-serve-'));
const bundle = path.join(tmp, 'model');
untrainedBundle(bundle, ['neutral', 'happy', 'sad', 'angry'], 3);
const model = loadModel(bundle);
const demo = ensureDemoCorpus(path.join(tmp, 'demo'), { actors: 2, emotions: ['neutral', 'angry'], seconds: 2 });
const wavs = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? wavs(path.join(dir, e.name)) : e.name.endsWith('.wav') ? [path.join(dir, e.name)] : []));
const clip = wavs(demo.dir)[0];
const clipBytes = fs.readFileSync(clip);
// ~5 s: speech, then silence, at 16 kHz 16-bit.
const longSamples = (() => {
  const x = decodeAudio(clip, 16000);
  const out = new Float32Array(x.length + 3 * 16000);
  out.set(x);
  return out;
})();
const longWav = encodeWav(longSamples, 16000);

let app: FastifyInstance;
let base: string;
let port: number;
const TOKEN = 's3cret-token';
let guarded: FastifyInstance;
let guardedBase: string;

beforeAll(async () => {
  app = await createServer({ model, modelPath: bundle, limits: { bodyLimit: 2 * 1024 * 1024, maxStreams: 2, idleTimeout: 1 } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
  guarded = await createServer({ model, token: TOKEN });
  guardedBase = await guarded.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await guarded?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A multipart/form-data body with one file field, boundary 'serabuse'. */
const formBody = (file: Buffer): Buffer =>
  Buffer.concat([Buffer.from('--serabuse\r\nContent-Disposition: form-data; name="file"; filename="clip.wav"\r\nContent-Type: audio/wav\r\n\r\n'), file, Buffer.from('\r\n--serabuse--\r\n')]);

const post = (url: string, body: Payload, headers: Record<string, string> = { 'content-type': 'audio/wav' }) => fetch(url, { method: 'POST', body: Buffer.isBuffer(body) ? new Uint8Array(body) : body, headers });

async function healthy(): Promise<void> {
  const r = await fetch(`${base}/healthz`);
  expect(r.status).toBe(200);
}

test('GET /healthz and /v1/model', async () => {
  const h = await (await fetch(`${base}/healthz`)).json();
  expect(h).toMatchObject({ status: 'ok', streams: 0 });
  const m = await (await fetch(`${base}/v1/model`)).json();
  expect(m).toMatchObject({ labels: model.labels, sampleRate: 16000, windowSeconds: 1, path: bundle, limits: { bodyLimit: 2 * 1024 * 1024, maxStreams: 2 } });
});

test('POST /v1/predict: a WAV body gives the same prediction as model.predict()', async () => {
  const r = await post(`${base}/v1/predict`, clipBytes);
  expect(r.status).toBe(200);
  const p = await r.json();
  const want = model.predict(clip);
  expect(p.emotion).toBe(want.emotion);
  expect(p.speech).toBe(true);
  for (const l of model.labels) expect(p.probabilities[l]).toBeCloseTo(want.probabilities![l], 5);
});

test('POST /v1/predict as a multipart upload', async () => {
  const form = new FormData();
  form.append('file', new Blob([clipBytes], { type: 'audio/wav' }), 'clip.wav');
  const r = await fetch(`${base}/v1/predict`, { method: 'POST', body: form });
  expect(r.status).toBe(200);
  expect((await r.json()).probabilities).toEqual((await (await post(`${base}/v1/predict`, clipBytes)).json()).probabilities);
});

test('POST /v1/predict?timeline=1 gives timeline() segments, speech false on the silent tail', async () => {
  const r = await post(`${base}/v1/predict?timeline=1&hop=0.5`, longWav);
  expect(r.status).toBe(200);
  const { segments } = await r.json();
  const want = model.timeline(longWav, { hop: 0.5 });
  expect(segments.map((s: { start: number }) => s.start)).toEqual(want.map((s) => s.start));
  expect(segments.map((s: { speech: boolean }) => s.speech)).toEqual(want.map((s) => s.speech));
  expect(segments[segments.length - 1]).toMatchObject({ speech: false, emotion: null });
});

test('concurrent requests all go through the model\'s shared queue and agree', async () => {
  // Whether HTTP requests overlap a native call depends on timing (a fast machine finishes each
  // clip before the next request is parsed), so batching itself is asserted deterministically in
  // predict-async.test.ts; here every request must be scored by the queue, once.
  const before = model.queueStats();
  const all = await Promise.all(Array.from({ length: 32 }, () => post(`${base}/v1/predict`, longWav).then((r) => r.json())));
  expect(new Set(all.map((p) => p.emotion)).size).toBe(1);
  const after = model.queueStats();
  expect(after.clips - before.clips).toBe(32);
  expect(after.calls - before.calls).toBeGreaterThanOrEqual(1);
  expect(after.calls - before.calls).toBeLessThanOrEqual(32);
  expect(after.busy).toBe(false);
});

test('GET / serves the page and its files, with no external resources', async () => {
  const html = await (await fetch(`${base}/`)).text();
  expect(html).toContain('Use microphone');
  for (const f of ['/app.js', '/worklet.js', '/style.css']) expect((await fetch(`${base}${f}`)).status).toBe(200);
  expect(html).not.toMatch(/https?:\/\//);
});

test('POST /v1/spectrogram returns the log-mel PNG', async () => {
  const r = await post(`${base}/v1/spectrogram`, clipBytes);
  expect(r.headers.get('content-type')).toBe('image/png');
  const png = Buffer.from(await r.arrayBuffer());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(20)).toBe(2 * model.features.logMel.nMels); // height: 2 px per mel band
});

describe('client errors are 4xx JSON, and the server keeps serving', () => {
  afterEach(healthy);

  test.each([
    ['empty body', undefined, 'audio/wav', 400, 'ERR_EMPTY_BODY'],
    ['MP3 bytes', Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00'), Buffer.alloc(2000, 0xff)]), 'audio/wav', 400, /^ERR_WAV/],
    ['truncated WAV', clipBytes.subarray(0, 30), 'audio/wav', 400, /^ERR_WAV/],
    ['JSON content type', '{"a":1}', 'application/json', 415, 'ERR_CONTENT_TYPE'],
    ['text content type', 'hello', 'text/plain', 415, 'ERR_CONTENT_TYPE'],
    ['unknown content type', 'hello', 'image/gif', 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'],
    ['too large', Buffer.alloc(3 * 1024 * 1024), 'audio/wav', 413, /FST_ERR_CTP_BODY_TOO_LARGE/],
    // The multipart parser's own errors carry no status; they were answered 500 ERR_INTERNAL (found by bench/serve-abuse.ts).
    ['multipart without a boundary', formBody(clipBytes), 'multipart/form-data', 400, 'ERR_MULTIPART'],
    ['multipart with another boundary', formBody(clipBytes), 'multipart/form-data; boundary=other', 400, /^ERR_/],
    ['truncated multipart', formBody(clipBytes).subarray(0, 150), 'multipart/form-data; boundary=serabuse', 400, /^ERR_/],
    ['multipart file over the limit', formBody(Buffer.alloc(3 * 1024 * 1024)), 'multipart/form-data; boundary=serabuse', 413, /^FST_/],
  ])('%s', async (_name, body, type, status, code) => {
    const r = await post(`${base}/v1/predict`, body as Payload, { 'content-type': type });
    expect(r.status).toBe(status);
    const j = await r.json();
    expect(j.error.status).toBe(status);
    expect(j.error.code).toMatch(code);
    expect(j.error.message.length).toBeGreaterThan(10);
  });

  test('a bad query parameter names it', async () => {
    const r = await post(`${base}/v1/predict?hop=abc`, clipBytes);
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toMatch(/hop/);
    const u = await post(`${base}/v1/predict?timelime=1`, clipBytes);
    expect((await u.json()).error.message).toMatch(/did you mean timeline/);
  });

  test('unknown route → 404 JSON', async () => {
    const r = await fetch(`${base}/v2/nothing`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.code).toBe('ERR_NOT_FOUND');
  });

  test('a client that trickles its request head (slowloris) is cut off after the headers timeout', async () => {
    // This server's --idle-timeout is 1 s, so its head timeout is 1 s (at most 10 s: HEADERS_SECONDS).
    const t0 = Date.now();
    const { reply, seconds } = await new Promise<{ reply: string; seconds: number }>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let got = '';
      const head = 'POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
      let i = 0;
      const timer = setInterval(() => s.writable && s.write(head[i++ % head.length]), 200);
      s.on('data', (d) => (got += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => {
        clearInterval(timer);
        resolve({ reply: got, seconds: (Date.now() - t0) / 1000 });
      });
      setTimeout(() => s.destroy(), 15000);
    });
    expect(seconds).toBeLessThan(10);
    expect(reply).toMatch(/^HTTP\/1.1 408/);
  });

  test('a declared 1 GB body is refused before it is read', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(`POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: audio/wav\r\nContent-Length: ${1024 ** 3}\r\n\r\nRIFF`);
      });
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n') && got.includes('}')) s.destroy();
      });
      const timer = setTimeout(() => s.destroy(), 5000);
      s.on('close', () => {
        clearTimeout(timer);
        resolve(got);
      });
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 413/);
    expect(reply).toMatch(/FST_ERR_CTP_BODY_TOO_LARGE/);
  });
});

test('--token: /v1/* needs the bearer token, the page and /healthz do not', async () => {
  expect((await post(`${guardedBase}/v1/predict`, clipBytes)).status).toBe(401);
  expect((await post(`${guardedBase}/v1/predict`, clipBytes, { 'content-type': 'audio/wav', authorization: 'Bearer wrong' })).status).toBe(401);
  expect((await post(`${guardedBase}/v1/predict`, clipBytes, { 'content-type': 'audio/wav', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  expect((await fetch(`${guardedBase}/v1/model?token=${TOKEN}`)).status).toBe(200);
  expect((await fetch(`${guardedBase}/`)).status).toBe(200);
  expect((await fetch(`${guardedBase}/healthz`)).status).toBe(200);
  const ws = new WebSocket(`${guardedBase.replace('http', 'ws')}/v1/stream?sampleRate=16000`);
  ws.on('error', () => undefined); // the refused upgrade, reported after 'unexpected-response'
  const status = await new Promise<number>((resolve) =>
    ws.on('unexpected-response', (req: http.ClientRequest, res: http.IncomingMessage) => {
      resolve(res.statusCode!);
      req.destroy();
    }),
  );
  expect(status).toBe(401);
});

interface WsResult {
  messages: Record<string, unknown>[];
  code: number;
  reason: string;
}

function wsSession(query: string, send: (ws: WebSocket) => void): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/stream${query}`);
    const messages: Record<string, unknown>[] = [];
    ws.on('open', () => send(ws));
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    ws.on('close', (code, reason) => resolve({ messages, code, reason: reason.toString() }));
    ws.on('error', reject);
  });
}

const pcm = (x: Float32Array) => Buffer.from(Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768)))).buffer);

test('WebSocket /v1/stream: PCM in, the timeline of the same audio out, then end', async () => {
  const bytes = pcm(longSamples);
  const r = await wsSession('?sampleRate=16000&format=s16le&hop=0.5', (ws) => {
    for (let i = 0; i < bytes.length; i += 3200) ws.send(bytes.subarray(i, i + 3200));
    ws.send(JSON.stringify({ type: 'end' }));
  });
  expect(r.code).toBe(1000);
  expect(r.messages[0]).toMatchObject({ type: 'ready', sampleRate: 16000, labels: model.labels });
  const segs = r.messages.filter((m) => m.type === 'segment');
  const want = model.timeline({ samples: Float32Array.from(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2), (v) => v / 32768), sampleRate: 16000 }, { hop: 0.5 });
  expect(segs.map((s) => s.start)).toEqual(want.map((s) => s.start));
  expect(segs.map((s) => s.speech)).toEqual(want.map((s) => s.speech));
  expect(r.messages[r.messages.length - 1]).toMatchObject({ type: 'end', windows: want.length, dropped: 0 });
});

test('WebSocket: settings in a first JSON message work too', async () => {
  const r = await wsSession('', (ws) => {
    ws.send(JSON.stringify({ sampleRate: 8000, format: 'f32le' }));
    ws.send(Buffer.from(new Float32Array(8000 * 2).buffer));
    ws.send(JSON.stringify({ type: 'end' }));
  });
  expect(r.code).toBe(1000);
  const segs = r.messages.filter((m) => m.type === 'segment');
  expect(segs.length).toBeGreaterThan(1);
  expect(segs.every((s) => s.speech === false)).toBe(true);
});

describe('WebSocket garbage closes with a code and a reason', () => {
  afterEach(healthy);
  test.each([
    ['non-JSON text', '', (ws: WebSocket) => ws.send('hello'), 1007, /must be JSON/],
    ['binary before settings', '', (ws: WebSocket) => ws.send(Buffer.alloc(100)), 1008, /before the stream settings/],
    ['odd byte count', '?sampleRate=16000', (ws: WebSocket) => ws.send(Buffer.alloc(101)), 1007, /whole number of s16le samples/],
    ['bad settings', '?sampleRate=-5', () => undefined, 1008, /sampleRate/],
    ['unknown setting', '?sampleRate=16000&hopp=1', () => undefined, 1008, /did you mean hop/],
    ['NaN floats', '?sampleRate=16000&format=f32le', (ws: WebSocket) => ws.send(Buffer.from(new Float32Array([0, NaN]).buffer)), 1007, /finite/],
    ['a second settings message', '?sampleRate=16000', (ws: WebSocket) => ws.send('{"sampleRate":8000}'), 1008, /unexpected message/],
  ])('%s', async (_name, query, send, code, reason) => {
    const r = await wsSession(query, send);
    expect(r.code).toBe(code);
    expect(r.reason).toMatch(reason);
  });

  test('a message over the size limit', async () => {
    const r = await wsSession('?sampleRate=16000', (ws) => ws.send(Buffer.alloc(2 * 1024 * 1024)));
    expect(r.code).toBe(1009);
  });
});

test('idle streams are closed after --idle-timeout; streams beyond --max-streams get 1013', async () => {
  const idle = await wsSession('?sampleRate=16000', () => undefined);
  expect(idle.code).toBe(1001);
  expect(idle.reason).toMatch(/idle for 1 s/);

  const open: WebSocket[] = [];
  for (let i = 0; i < 2; i++) {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/stream?sampleRate=16000`);
    await new Promise((r) => ws.on('message', r));
    open.push(ws);
  }
  const third = await wsSession('?sampleRate=16000', () => undefined);
  expect(third.code).toBe(1013);
  expect(third.reason).toMatch(/max-streams/);
  open.forEach((ws) => ws.close());
  await new Promise((r) => setTimeout(r, 200));
  expect((await (await fetch(`${base}/healthz`)).json()).streams).toBe(0);
});
