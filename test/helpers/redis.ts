// A throw-away redis-server for the distributed tests: started on a free 127.0.0.1 port with no persistence,
// in its own temporary folder, answered PING before it is handed out, and stopped (folder removed) afterwards.
// Only the loopback address is ever used.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface RedisServer {
  port: number;
  /** The redis-server process (tests freeze it with SIGSTOP to play an unreachable server). */
  pid: number;
  /** redis://127.0.0.1:PORT (database 0). */
  url: string;
  /** redis://127.0.0.1:PORT/DB: tests that must not share results use their own database. */
  urlFor(db: number): string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket; resolves true on +PONG, false on any error or after timeoutMs. */
function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Starts redis-server (from PATH) and waits up to timeoutMs for it to answer PING. */
export async function startRedis(timeoutMs = 15000): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async (): Promise<void> => {
    if (!exited(child)) {
      child.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 0))]);
    if (failed) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot start redis-server (${failed.message}): install it (Debian: apt-get install redis-server)`);
    }
    if (exited(child)) {
      await stop();
      throw new Error(`redis-server exited with code ${child.exitCode} before answering PING on ${HOST}:${port}: ${stderr.trim()}`);
    }
    if (await ping(port, 500)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING on ${HOST}:${port} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `redis://${HOST}:${port}`;
  return { port, pid: child.pid!, url, urlFor: (db) => `${url}/${db}`, stop };
}
