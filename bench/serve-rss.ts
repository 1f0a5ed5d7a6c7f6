// Does `ser-native serve`'s RSS after a flood keep growing with more floods (a leak), or level off
// (memory the allocator keeps)? Four 15 s floods of POST /v1/predict at 64 connections (autocannon),
// RSS 5 s after each, from /proc/PID/status.
//
//   node dist/bench/serve-rss.js [MALLOC_ARENA_MAX value]     e.g. 2 (default: unset)
//
// Model: the tiny demo recipe's architecture, untrained (the work per clip does not depend on the weights).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import autocannon from 'autocannon';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolveTrainConfig } from '../lib/model/config';
import { NativeModel } from '../lib/model/native-model';
import { saveBundle } from '../lib/model/bundle';
import { ensureDemoCorpus } from '../lib/demo/corpus';

async function main(arena: string | undefined): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-serve-rss-'));
  const c = resolveTrainConfig({ features: { clipSeconds: 1, windowHopSeconds: 0.5 }, architecture: { channels: [8, 16, 16, 16], lstmLayers: 1 } });
  const state = new NativeModel(c.architecture, c.features.logMel.nMels, 2, 'cpu', 1).getState();
  saveBundle(path.join(dir, 'model'), { labels: ['neutral', 'angry'], features: c.features, architecture: c.architecture, versions: { package: 'bench', libtorch: 'bench' } }, state);
  const demo = ensureDemoCorpus(path.join(dir, 'demo'), { actors: 1, emotions: ['angry'], seconds: 1.5 });
  const actor = fs.readdirSync(demo.dir).find((d) => d.startsWith('Actor_')) as string;
  const clip = fs.readFileSync(path.join(demo.dir, actor, fs.readdirSync(path.join(demo.dir, actor)).sort()[0]));
  const env = { ...process.env, ...(arena ? { MALLOC_ARENA_MAX: arena } : {}) };
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'ser-native.js'), 'serve', '--model', path.join(dir, 'model'), '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve) => {
      let s = '';
      child.stderr!.on('data', (d) => {
        s += d;
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(s);
        if (m) resolve(m[1]);
      });
    });
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
    const flood = (o: Partial<autocannon.Options>) => autocannon({ url: `${url}/v1/predict`, method: 'POST', headers: { 'content-type': 'audio/wav' }, body: clip, ...o });
    await flood({ connections: 1, amount: 5 });
    const out = [`idle ${rss().toFixed(0)}`];
    for (let i = 0; i < 4; i++) {
      const r = await flood({ connections: 64, duration: 15 });
      await new Promise((res) => setTimeout(res, 5000));
      out.push(`after flood ${i + 1} (${r.requests.total} uploads) ${rss().toFixed(0)}`);
    }
    process.stdout.write(`MALLOC_ARENA_MAX=${arena ?? 'unset'}: ${out.join(', ')} MB\n`);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const args = yargs(hideBin(process.argv))
  .usage('$0 [MALLOC_ARENA_MAX]\n\nRSS of `ser-native serve` after each of four floods of POST /v1/predict; MALLOC_ARENA_MAX for the server, e.g. 2 (default: unset).')
  .demandCommand(0, 1, '', 'one MALLOC_ARENA_MAX value at most')
  .strict()
  .help()
  .parseSync();
main(args._[0] === undefined ? undefined : String(args._[0])).catch((e: unknown) => {
  process.stderr.write(`serve-rss: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
