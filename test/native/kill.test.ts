// kill -9 of `train` at random moments, then a rerun: the bundle in --out always loads, no file is
// half-written, and the rerun takes over the dead run's lock (with a warning) and completes.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { loadModel } from '../../lib/model/model';
import { Rng } from '../../lib/random';
import { checkDist, dist } from '../helpers/dist';
import { demo, fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-kill-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runner(out: string, epochs: number): string {
  const file = path.join(tmp, `run-${epochs}.js`);
  fs.writeFileSync(
    file,
    `require(${JSON.stringify(path.join(dist, 'lib', 'train', 'train.js'))})
       .train({ ravdess: ${JSON.stringify(path.join(tmp, 'demo'))}, out: ${JSON.stringify(out)}, epochs: ${epochs}, config: ${JSON.stringify(fixed)}, device: 'cpu', seed: 1 })
       .then(() => process.exit(0), (e) => { console.error(e.code, e.message); process.exit(1); });`,
  );
  return file;
}

/** Every file train writes is whole: JSON parses, the bundle loads, history lines parse (a torn last line aside). */
function checkOutputs(out: string): void {
  if (fs.existsSync(path.join(out, 'model', 'model.json'))) expect(loadModel(out).labels).toHaveLength(2);
  if (fs.existsSync(path.join(out, 'metrics.json'))) expect(() => JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'))).not.toThrow();
  const history = path.join(out, 'history.jsonl');
  if (fs.existsSync(history)) {
    const lines = fs.readFileSync(history, 'utf8').split('\n').filter((l) => l !== '');
    lines.slice(0, -1).forEach((l) => expect(() => JSON.parse(l)).not.toThrow());
  }
}

test('three kill -9s of train at random moments, then a rerun', async () => {
  checkDist();
  ensureDemoCorpus(path.join(tmp, 'demo'), demo);
  const out = path.join(tmp, 'out');
  const rng = new Rng(18);
  const env = { ...process.env, SER_NATIVE_THREADS: '1' };
  for (let k = 0; k < 3; k++) {
    // Enough epochs that the run is still going when it is killed (a fast idle machine finishes 40 in seconds).
    const child = spawn(process.execPath, [runner(out, 4000)], { env, stdio: 'ignore' });
    let alive = true;
    const exited = new Promise((r) => child.once('exit', (c) => ((alive = false), r(c))));
    // Kill at a random moment after the run took its lock (the lock is what the rerun must take over).
    const lock = path.join(out, '.ser-native.lock');
    for (let t = 0; alive && t < 600 && !fs.existsSync(lock); t++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, rng.int(6000)));
    expect(alive).toBe(true);
    child.kill('SIGKILL');
    await exited;
    checkOutputs(out);
  }
  const r = spawnSync(process.execPath, [runner(out, 2)], { env, encoding: 'utf8', timeout: 240000 });
  expect(r.status).toBe(0);
  expect(r.stderr).toContain('SER_NATIVE_STALE_LOCK');
  checkOutputs(out);
  expect(loadModel(out).labels).toHaveLength(2);
  expect(fs.existsSync(path.join(out, '.ser-native.lock'))).toBe(false);
}, 400000);
