// kill -9 of `ser-native serve` at random (seeded) moments while clients upload, then a restart on the
// same port: the server writes nothing (its working folder stays empty, the bundle is unchanged), leaves
// no process behind, the port is free at once, and the restarted server answers /healthz and gives the
// same prediction as before the kill.
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { Rng } from '../../lib/random';
import { checkDist, cli } from '../helpers/dist';
import { untrainedBundle } from '../helpers/bundles';
import { childrenOf, sleep, survivors, watchChildren } from '../helpers/kill';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-kill-serve-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function digest(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex');
}

function serve(bundle: string, port: number, cwd: string): Promise<{ child: ChildProcess; port: number; exited: Promise<void> }> {
  const child = spawn(process.execPath, [cli, 'serve', '--model', bundle, '--port', String(port)], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]), exited });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening:\n${stderr}`)));
  });
}

test('ten kill -9s of serve under load, each followed by a restart on the same port', async () => {
  checkDist();
  const bundle = path.join(tmp, 'model');
  untrainedBundle(bundle, ['neutral', 'happy', 'sad', 'angry'], 3);
  const before = digest(bundle);
  const demo = ensureDemoCorpus(path.join(tmp, 'demo'), { actors: 1, emotions: ['angry'], seconds: 2 });
  const actor = fs.readdirSync(demo.dir).find((d) => d.startsWith('Actor_')) as string;
  const clip = fs.readFileSync(path.join(demo.dir, actor, fs.readdirSync(path.join(demo.dir, actor)).find((f) => f.endsWith('.wav')) as string));
  const cwd = path.join(tmp, 'cwd');
  fs.mkdirSync(cwd);
  const rng = new Rng(1809);

  let port = 0;
  let expected: unknown = null;
  for (let k = 0; k < 10; k++) {
    const s = await serve(bundle, port, cwd);
    port = s.port; // the first run picks a free port; every restart must get the same one back at once
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const predict = () => fetch(`${base}/v1/predict`, { method: 'POST', body: new Uint8Array(clip), headers: { 'content-type': 'audio/wav' } });
    const first = await predict();
    expect(first.status).toBe(200);
    const p = await first.json();
    expected ??= p;
    expect(p).toEqual(expected); // the restarted server answers as before
    const children = watchChildren(s.child.pid as number);
    // Clients keep uploading; the kill lands at a random moment among their requests.
    let stop = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) await predict().then((r) => r.arrayBuffer(), () => undefined);
    });
    await sleep(rng.int(1500));
    s.child.kill('SIGKILL');
    await s.exited;
    stop = true;
    await Promise.all(clients);
    const spawned = children.stop();
    expect(spawned.size === 0 || (await survivors(spawned, 5000)).length === 0).toBe(true);
    expect(childrenOf(s.child.pid as number)).toEqual([]);
    expect(fs.readdirSync(cwd)).toEqual([]); // serve writes nothing
    expect(digest(bundle)).toBe(before);
  }
  const last = await serve(bundle, port, cwd);
  expect(last.port).toBe(port);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  last.child.kill('SIGTERM');
  await last.exited;
  expect(fs.readdirSync(path.dirname(bundle)).filter((f) => f.startsWith('model.'))).toEqual([]);
}, 240000);
