// `ser-native serve`: the HTTP/WebSocket API and the web page, on fastify. Every prediction runs off
// the JS thread through the model's micro-batching queue (EmotionModel.predictAsync/timelineAsync),
// so concurrent requests share native calls and the event loop stays free. Every client error is a
// 4xx JSON body { error: { status, code, message } }; the process never crashes on input.
import * as fs from 'fs';
import * as path from 'path';
import { timingSafeEqual } from 'crypto';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import multipart from '@fastify/multipart';
import type { EmotionModel } from '../model/model';
import { decodeAudio } from '../audio/decode';
import { IdleRelease } from './idle-release';
import { Turns } from './turns';
import { WavError } from '../audio/wav';
import { logMelResolved } from '../features/logmel';
import { spectrogramToPng } from '../features/png';
import { packageRoot } from '../binding';
import { packageVersion, releaseMemory } from '../info';
import * as is from '../is';
import { DEFAULT_LIMITS, resolveLimits, ServeLimits } from './options';
import { CLOSE, StreamSession } from './ws-stream';

export interface ServeOptions {
  model: EmotionModel;
  /** Where the model was loaded from (shown by /v1/model). */
  modelPath?: string;
  /** Bearer token required on /v1/* (the page and /healthz stay open); none by default. */
  token?: string;
  limits?: Partial<ServeLimits>;
  /** fastify's logger (default off). */
  logger?: boolean;
}

/** Seconds a client may take to send a request's head (at most --idle-timeout). */
export const HEADERS_SECONDS = 10;

const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'application/octet-stream'];
const WEB_FILES: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/worklet.js': 'worklet.js', '/style.css': 'style.css' };
const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** An HTTP error with a status and a stable code, answered as JSON. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Status and code for anything thrown while handling a request: client mistakes are 4xx. */
function classify(e: unknown): { status: number; code: string; message: string } {
  const err = e as { statusCode?: number; code?: string; message?: string; name?: string };
  const message = err?.message ?? String(e);
  if (e instanceof HttpError) return { status: e.statusCode, code: e.code, message };
  if (e instanceof WavError) return { status: 400, code: `ERR_WAV_${e.reason}`, message };
  // fastify's own errors (body too large, bad media type, ...) carry their status.
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return { status: err.statusCode, code: err.code ?? 'ERR_REQUEST', message };
  // An input over a documented limit (lib/limits.ts) or audio that cannot be scored is the client's: 413 / 400, never 500.
  if (err?.code === 'ERR_LIMIT') return { status: 413, code: 'ERR_LIMIT', message };
  if (err?.code === 'ERR_AUDIO') return { status: 400, code: 'ERR_AUDIO', message };
  if (err?.code === 'ERR_ARGUMENT' || e instanceof RangeError) return { status: 400, code: 'ERR_ARGUMENT', message };
  return { status: 500, code: err?.code ?? 'ERR_INTERNAL', message };
}

function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const { status, code, message } = classify(e);
  return reply.code(status).type('application/json').send({ error: { status, code, message } });
}

function queryFlag(v: unknown): boolean {
  return v === '1' || v === 'true' || v === '' || v === true;
}

/** Builds the server (not listening yet: call .listen({ host, port })). */
export async function createServer(options: ServeOptions): Promise<FastifyInstance> {
  const o = is.options('options', options, ['model', 'modelPath', 'token', 'limits', 'logger']);
  const model = o.model;
  const limits = resolveLimits(o.limits);
  const token = o.token === undefined || o.token === '' ? null : Buffer.from(o.token);
  const webDir = path.join(packageRoot(), 'web');
  const web = new Map(Object.entries(WEB_FILES).map(([route, file]) => [route, fs.readFileSync(path.join(webDir, file))]));
  let streams = 0;
  let inFlight = 0;
  const turns = new Turns();
  const idle = new IdleRelease(() => releaseMemory());

  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: limits.bodyLimit,
    connectionTimeout: 0,
    keepAliveTimeout: limits.idleTimeout * 1000,
    requestTimeout: Math.max(60, limits.idleTimeout) * 1000,
    return503OnClosing: true,
    // Slow clients (slowloris): a request head must arrive within HEADERS_SECONDS (a real client sends it in one
    // packet), checked every second; Node's defaults (60 s, checked every 30 s) held 32 trickling sockets for the
    // whole of a 60 s flood (bench/serve-abuse.ts).
    http: { headersTimeout: Math.min(HEADERS_SECONDS, limits.idleTimeout) * 1000, connectionsCheckingInterval: 1000 },
  });
  await app.register(websocket, { options: { maxPayload: limits.maxMessage } });
  await app.register(multipart, { limits: { fileSize: limits.bodyLimit, files: 1, fields: 8, parts: 10 } });
  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer', bodyLimit: limits.bodyLimit }, (_req, body, done) => done(null, body));

  app.addHook('onClose', async () => idle.stop());
  app.setErrorHandler((e, _req, reply) => sendError(reply, e));
  app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, 'ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}; see GET /v1/model, POST /v1/predict, GET /v1/stream`)));

  // Bearer token on the API; the page, its files and /healthz stay open so a browser can load the page.
  app.addHook('onRequest', async (req, reply) => {
    if (!token || !req.url.startsWith('/v1/')) return;
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : ((req.query as Record<string, unknown>)?.token as string | undefined) ?? '';
    const g = Buffer.from(given);
    if (g.length !== token.length || !timingSafeEqual(g, token)) {
      return sendError(reply, new HttpError(401, 'ERR_UNAUTHORIZED', 'missing or wrong bearer token: send "Authorization: Bearer <token>" (or ?token= on the WebSocket URL)'));
    }
  });

  for (const [route, body] of web) {
    app.get(route, async (_req, reply) => reply.type(MIME[path.extname(WEB_FILES[route])]).header('cache-control', 'no-cache').send(body));
  }

  app.get('/healthz', async () => ({ status: 'ok', version: packageVersion(), uptimeSeconds: Math.round(process.uptime()), streams, inFlight, queue: model.queueStats() }));

  app.get('/v1/model', async () => ({
    path: o.modelPath ?? null,
    labels: model.labels,
    sampleRate: model.features.logMel.sampleRate,
    windowSeconds: model.features.clipSeconds,
    hopSeconds: model.features.windowHopSeconds,
    features: model.features,
    architecture: model.architecture,
    metrics: model.meta.metrics ?? null,
    createdAt: model.meta.createdAt,
    versions: model.meta.versions,
    licence: (model.meta as { licence?: unknown }).licence ?? modelLicence(model),
    limits,
  }));

  /** The uploaded WAV bytes: the raw body, or the first file of a multipart form. */
  async function wavBody(req: FastifyRequest): Promise<Buffer> {
    let bytes: Buffer;
    if (req.isMultipart()) {
      let file: Awaited<ReturnType<FastifyRequest['file']>>;
      try {
        file = await req.file();
        bytes = file ? await file.toBuffer() : Buffer.alloc(0);
      } catch (e) {
        // The multipart parser's own errors ("Boundary not found", "Unexpected end of form") carry no status: the body is the client's.
        if (typeof (e as { statusCode?: unknown }).statusCode === 'number') throw e;
        throw new HttpError(400, 'ERR_MULTIPART', `the multipart/form-data body cannot be parsed (${(e as Error).message}): send one file field with a boundary that matches the Content-Type (curl -F file=@clip.wav)`);
      }
      if (!file) throw new HttpError(400, 'ERR_EMPTY_BODY', 'the multipart form has no file: upload the WAV as a file field (curl -F file=@clip.wav)');
    } else {
      if (!Buffer.isBuffer(req.body)) throw new HttpError(415, 'ERR_CONTENT_TYPE', `send the WAV with Content-Type: audio/wav (or multipart/form-data); got ${req.headers['content-type'] ?? 'none'}`);
      bytes = req.body;
    }
    if (bytes.length === 0) throw new HttpError(400, 'ERR_EMPTY_BODY', 'the request body is empty: send a WAV file (curl --data-binary @clip.wav -H "Content-Type: audio/wav")');
    return bytes;
  }

  async function admitted<T>(work: () => Promise<T>): Promise<T> {
    if (inFlight >= limits.maxQueue) throw new HttpError(503, 'ERR_BUSY', `${inFlight} predictions are waiting (the server's --max-queue); retry shortly`);
    inFlight++;
    idle.begin();
    try {
      await turns.next();
      return await work();
    } finally {
      inFlight--;
      idle.end();
    }
  }

  app.post('/v1/predict', async (req) => {
    const q = (req.query ?? {}) as Record<string, string>;
    is.knownKeys('query', q, ['timeline', 'hop', 'minConfidence', 'smoothing', 'median', 'token']);
    const num = (k: string) => (q[k] === undefined ? undefined : is.number(k, Number(q[k])));
    const settings = { hop: num('hop'), minConfidence: num('minConfidence'), smoothing: num('smoothing'), median: num('median') };
    const bytes = await wavBody(req);
    return admitted(async () => {
      if (queryFlag(q.timeline)) return { segments: await model.timelineAsync(bytes, settings) };
      return model.predictAsync(bytes, { minConfidence: settings.minConfidence });
    });
  });

  // The log-mel spectrogram of an upload as a viridis PNG (what the model sees), for the page.
  app.post('/v1/spectrogram', async (req, reply) => {
    const bytes = await wavBody(req);
    const f = model.features;
    const png = await admitted(async () => {
      const samples = decodeAudio(bytes, f.logMel.sampleRate);
      const [m] = logMelResolved([samples.length > 0 ? samples : new Float32Array(f.logMel.nFft)], f.logMel, model.device, true);
      return spectrogramToPng(m.data, m.nMels, m.frames, { scale: [1, 2] }).png;
    });
    return reply.type('image/png').send(png);
  });

  app.get('/v1/stream', { websocket: true }, (socket, req) => {
    if (streams >= limits.maxStreams) {
      socket.close(CLOSE.tryLater, `too many streams (the server's --max-streams is ${limits.maxStreams}); try again later`);
      return;
    }
    streams++;
    idle.begin();
    new StreamSession(socket, model, (req.query ?? {}) as Record<string, unknown>, limits.idleTimeout, () => {
      streams--;
      idle.end();
    });
  });

  return app;
}

/** The licence a bundle declares in its training data summary, if any. */
function modelLicence(model: EmotionModel): string | null {
  const t = model.meta.training as { licence?: string } | undefined;
  return t?.licence ?? null;
}

export { DEFAULT_LIMITS };
