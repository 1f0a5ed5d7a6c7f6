// `ser-native serve` under load, and a live stream fed faster than real time.
//
//   npm run bench:serve [-- --model DIR --seconds 10 --clients 1,8,32 --precision bfloat16 --json]
//
// The server runs in a child process (as in production, so the load generator does not share its
// event loop); N keep-alive clients post the same 3.5 s WAV to /v1/predict over loopback, each
// sending the next request when the previous answer arrives, for --seconds per N after a warm-up.
// Reported: clips/s, p50/p99 latency, and the server's event-loop delay (perf_hooks
// monitorEventLoopDelay, p99 and max over the run). The stream case pushes a long recording into
// model.stream() as fast as push()/'drain' allow and reports audio seconds per wall second.
// Model: --model, else the default model when installed, else the default recipe's architecture
// with untrained weights (the work per clip does not depend on the weights' values; say so).
import { fork } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadModel, EmotionModel } from '../lib/model/model';
import type { InferencePrecision } from '../lib/binding';
import { defaultModelDir } from '../lib/model/default-model';
import { resolveTrainConfig } from '../lib/model/config';
import { saveBundle } from '../lib/model/bundle';
import { NativeModel } from '../lib/model/native-model';
import { encodeWav, readWav } from '../lib/audio/wav';
import { decodeAudio } from '../lib/audio/decode';
import { ensureDemoCorpus } from '../lib/demo/corpus';
import { createServer } from '../lib/serve/server';
import '../lib/stream';

const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
const CLIP_SECONDS = 3.5;

/** The model to serve: --model, the default model, or the default architecture untrained (written to tmp). */
function modelDir(arg: string | undefined, tmp: string): { dir: string; what: string } {
  if (arg) return { dir: arg, what: arg };
  const d = defaultModelDir();
  if (fs.existsSync(path.join(d, 'model.json'))) return { dir: d, what: `default model (${d})` };
  const c = resolveTrainConfig({});
  const net = new NativeModel(c.architecture, c.features.logMel.nMels, 8, 'cpu', 1);
  const dir = path.join(tmp, 'default-architecture');
  saveBundle(dir, { labels: ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'], features: c.features, architecture: c.architecture, versions: { package: 'bench', libtorch: 'bench' } }, net.getState());
  return { dir, what: `default recipe architecture, untrained weights (no default model installed; cost per clip is the same)` };
}

/** A 3.5 s WAV as a client would upload it: a real RAVDESS recording at its 48 kHz when ../shared is here. */
function benchClip(tmp: string): { wav: Buffer; what: string } {
  const real = path.join(SHARED, 'ravdess', 'Actor_01', '03-01-05-02-01-01-01.wav');
  let samples: Float32Array;
  let rate: number;
  let what: string;
  if (fs.existsSync(real)) {
    const w = readWav(real);
    samples = w.samples;
    rate = w.sampleRate;
    what = `RAVDESS Actor_01 angry, ${rate} Hz`;
  } else {
    const demo = ensureDemoCorpus(path.join(tmp, 'demo'), { actors: 1, emotions: ['angry'], seconds: 4 });
    const dir = path.join(demo.dir, fs.readdirSync(demo.dir).find((d) => d.startsWith('Actor_'))!);
    rate = 16000;
    samples = decodeAudio(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.wav'))!), rate);
    what = 'synthetic demo clip, 16 kHz';
  }
  const n = Math.round(CLIP_SECONDS * rate);
  const out = new Float32Array(n);
  out.set(samples.subarray(0, n));
  return { wav: encodeWav(out, rate), what: `${what}, ${CLIP_SECONDS} s, ${(encodeWav(out, rate).length / 1024).toFixed(0)} kB` };
}

// ---- child: the server ----------------------------------------------------------------------
async function serverChild(dir: string, precision: InferencePrecision): Promise<void> {
  const app = await createServer({ model: loadModel(dir, { precision }), limits: { maxQueue: 4096 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'reset') {
      lag.reset();
      process.send!({ cmd: 'reset', queue: app.server.listening });
    } else if (m.cmd === 'lag') {
      process.send!({ cmd: 'lag', p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 });
    } else if (m.cmd === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ cmd: 'ready', address });
}

// ---- parent: clients and the stream case --------------------------------------------------------
function ask<T>(child: ReturnType<typeof fork>, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { cmd: string }) => {
      if (m.cmd !== cmd) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    child.send({ cmd });
  });
}

function postOnce(agent: http.Agent, url: URL, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ agent, host: url.hostname, port: url.port, path: '/v1/predict', method: 'POST', headers: { 'content-type': 'audio/wav', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(url: URL, body: Buffer, clients: number, seconds: number): Promise<{ latencies: number[]; errors: number; wall: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let errors = 0;
  const t0 = Date.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        try {
          latencies.push(await postOnce(agent, url, body));
        } catch {
          errors++;
        }
      }
    }),
  );
  const wall = (Date.now() - t0) / 1000;
  agent.destroy();
  return { latencies, errors, wall };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function streamCase(model: EmotionModel, wav: Buffer, minutes: number): Promise<{ audioSeconds: number; wallSeconds: number; speed: number; windows: number; dropped: number }> {
  const w = readWav(wav);
  const pcm = Int16Array.from(w.samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  const repeats = Math.ceil((minutes * 60) / (pcm.length / w.sampleRate));
  const s = model.stream({ hop: 0.5 });
  let windows = 0;
  s.on('segment', () => windows++);
  const chunk = Math.round(w.sampleRate * 0.1); // 100 ms chunks, as a live source sends them
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < pcm.length; i += chunk) if (!s.push(pcm.subarray(i, i + chunk), w.sampleRate)) await new Promise((ok) => s.once('drain', ok));
  }
  await s.end();
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const audioSeconds = (repeats * pcm.length) / w.sampleRate;
  return { audioSeconds, wallSeconds, speed: audioSeconds / wallSeconds, windows, dropped: s.stats.dropped };
}

async function main(): Promise<void> {
  const a = await yargs(hideBin(process.argv))
    .option('model', { type: 'string' })
    .option('seconds', { type: 'number', default: 10, describe: 'measured seconds per client count' })
    .option('clients', { type: 'string', default: '1,8,32' })
    .option('stream-minutes', { type: 'number', default: 2 })
    .option('json', { type: 'boolean', default: false })
    .option('precision', { choices: ['float32', 'bfloat16'] as const, default: 'float32' as const, describe: 'the served model\'s inference precision' })
    .option('child-server', { type: 'string', hidden: true })
    .strict()
    .parse();
  if (a['child-server']) return serverChild(a['child-server'], a.precision);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-serve-'));
  const { dir, what } = modelDir(a.model, tmp);
  const clip = benchClip(tmp);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`bench:serve: model ${what}; clip ${clip.what}; ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  const model = loadModel(dir, { precision: a.precision });
  const stream = await streamCase(model, clip.wav, a['stream-minutes']);
  log(`stream: ${stream.audioSeconds.toFixed(0)} s of audio in ${stream.wallSeconds.toFixed(2)} s = ${stream.speed.toFixed(1)}x real time (${stream.windows} windows, ${stream.dropped} dropped)`);

  const child = fork(__filename, ['--child-server', dir, '--precision', a.precision], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ address: string }>((resolve) => child.once('message', resolve as never));
  const url = new URL(ready.address);
  const rows: { clients: number; clipsPerSecond: number; p50: number; p99: number; errors: number; lagP99: number; lagMax: number; n: number }[] = [];
  for (const clients of a.clients.split(',').map(Number)) {
    await load(url, clip.wav, clients, 2); // warm-up
    await ask(child, 'reset');
    const r = await load(url, clip.wav, clients, a.seconds);
    const lag = await ask<{ p99: number; max: number }>(child, 'lag');
    const row = { clients, clipsPerSecond: r.latencies.length / r.wall, p50: pct(r.latencies, 50), p99: pct(r.latencies, 99), errors: r.errors, lagP99: lag.p99, lagMax: lag.max, n: r.latencies.length };
    rows.push(row);
    log(`${String(clients).padStart(3)} clients: ${row.clipsPerSecond.toFixed(1)} clips/s, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, ${row.errors} errors; server event-loop delay p99 ${row.lagP99.toFixed(1)} ms, max ${row.lagMax.toFixed(1)} ms`);
  }
  child.send({ cmd: 'stop' });
  const result = { model: what, precision: a.precision, clip: clip.what, cores: os.cpus().length, loadAverage: os.loadavg(), stream, http: rows };
  if (a.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`bench:serve: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
