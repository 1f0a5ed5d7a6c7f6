/// <reference lib="dom" />
// examples/onnx-browser/ for real: its documented step (prepare.js: export the default model to ONNX,
// copy the page and onnxruntime-web's WebAssembly files, serve the folder) and the page in Debian's
// chromium (never a downloaded one, no network), fed real clips through its file input. The page's
// unrounded probabilities must match ser-native's network on the very samples the page scored.
//   npx jest test/browser/onnx-example.test.ts      (SER_NATIVE_CHROMIUM=/path/to/chromium for another browser)
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { loadModel, EmotionModel } from '../../lib/model/model';
import { decodeAudio } from '../../lib/audio/decode';
import { checkDist, root } from '../helpers/dist';
import { HAVE_SHARED_DATA, SHARED_DATA, SAMPLE_CLIPS } from '../helpers/shared-data';

const CHROMIUM = process.env.SER_NATIVE_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser) console.warn(`Skipping the ONNX browser example test: no chromium at ${CHROMIUM} (apt-get install chromium, or set SER_NATIVE_CHROMIUM).`);
else if (!HAVE_SHARED_DATA) console.warn(`Skipping the ONNX browser example test: ${SHARED_DATA} (real clips) is not on this machine.`);
const maybe = haveBrowser && HAVE_SHARED_DATA ? describe : describe.skip;

/** Starts prepare.js on a free port; resolves with its URL once it serves. */
function prepare(out: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(root, 'examples', 'onnx-browser', 'prepare.js'), '--out', out, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      log += d.toString();
      const m = /serving (http:\/\/\S+)/.exec(log);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`prepare.js exited (${code}) before serving:\n${log}`)));
  });
}

maybe('examples/onnx-browser in headless chromium (onnxruntime-web, offline)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-onnx-browser-'));
  const out = path.join(tmp, 'site');
  let server: ChildProcess | undefined;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  let model: EmotionModel;

  beforeAll(async () => {
    checkDist(); // prepare.js exports with dist/bin/ser-native.js
    model = loadModel(path.join(root, 'models', 'default'));
    ({ child: server, url } = await prepare(out));
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    // Only the local server: a request anywhere else (a CDN) fails the test below.
    await page.route((u) => !u.href.startsWith(url), (r) => r.abort());
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === '1' || document.body.dataset.error !== undefined, null, { timeout: 60000 });
  }, 180000);

  afterAll(async () => {
    await context?.close();
    server?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('prepare.js writes the exported model, the page and the runtime files; the page loads them, nothing else', async () => {
    expect(fs.readdirSync(out).sort()).toEqual(['emotion.js', 'emotion.onnx', 'index.html', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort.wasm.min.js']);
    expect(await page.evaluate(() => document.body.dataset.error ?? null)).toBeNull();
    expect(await page.textContent('#status')).toBe(`ready: ${model.labels.join(', ')} (16000 Hz, ${model.features.clipSeconds} s windows)`);
    expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);
    expect(requests.map((r) => r.slice(url.length))).toEqual(expect.arrayContaining(['ort.wasm.min.js', 'ort-wasm-simd-threaded.wasm', 'emotion.onnx']));
  });

  // A 16 kHz clip (the model's rate: the browser does not resample) and the 48 kHz original (it does).
  test.each([
    ['16 kHz', SAMPLE_CLIPS[1]],
    ['48 kHz, resampled by Web Audio', SAMPLE_CLIPS[0]],
  ])('a real clip (%s): the page shows the probabilities ser-native gives its middle window, within 1e-3', async (_, clip) => {
    await page.setInputFiles('#file', clip);
    const name = path.basename(clip);
    await page.waitForFunction((n) => (window as unknown as { emotionRun?: { file: string } }).emotionRun?.file === n, name, { timeout: 60000 });
    const run = await page.evaluate(() => {
      const r = (window as unknown as { emotionRun: { samples: Float32Array; probabilities: number[] } }).emotionRun;
      return { samples: Array.from(r.samples), probabilities: JSON.parse(document.body.dataset.probabilities!) as number[] };
    });
    const samples = Float32Array.from(run.samples);
    const win = Math.round(model.features.clipSeconds * 16000);
    expect(samples.length).toBe(win);
    if (name.startsWith('03-01-01-01-02-01-04')) {
      // No resampling: the page scored the middle window of the clip as ser-native reads it. Chromium
      // scales positive 16-bit samples by 1/32767 (ser-native: 1/32768), hence one part in 32767.
      const x = decodeAudio(clip, 16000);
      const start = Math.floor((x.length - win) / 2);
      expect(x.length).toBeGreaterThan(win);
      let off = 0;
      for (let i = 0; i < win; i++) off = Math.max(off, Math.abs(samples[i] - x[start + i]) - Math.abs(x[start + i]) / 32767);
      expect(off).toBeLessThan(2e-7);
    }
    const ours = Array.from(model.probabilities([samples]));
    expect(run.probabilities).toHaveLength(model.labels.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(run.probabilities[i] - ours[i]));
    expect(worst).toBeLessThan(1e-3);
    expect(Math.max(...ours) - Math.min(...ours)).toBeGreaterThan(0.05); // far from uniform: the agreement means something
    // The page's verdict and table follow the same numbers.
    const top = model.labels[ours.indexOf(Math.max(...ours))];
    expect(await page.textContent('#status')).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}: ${top} \\(\\d+ ms\\)$`));
    expect(await page.textContent('#result tr:first-child td:first-child')).toBe(top);
  }, 90000);
});
