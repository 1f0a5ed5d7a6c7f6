/// <reference lib="dom" />
// End to end in a real browser: Debian's chromium (never a downloaded one) driven by playwright-core
// loads the page from a real `serve` server; its fake microphone plays a WAV file, the page streams
// it over the WebSocket and shows predictions; a WAV chosen in the file input is drawn as a timeline.
//   npx jest test/browser/page.test.ts
// SER_NATIVE_CHROMIUM=/path/to/chromium picks another browser; SER_NATIVE_SCREENSHOT=docs/images/serve.png
// with SER_NATIVE_SERVE_MODEL=<bundle dir> writes the README screenshot.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FastifyInstance } from 'fastify';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { loadModel } from '../../lib/model/model';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { createServer } from '../../lib/serve/server';
import { untrainedBundle } from '../helpers/bundles';
import { HAVE_SHARED_DATA, SAMPLE_CLIPS } from '../helpers/shared-data';

const CHROMIUM = process.env.SER_NATIVE_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser) console.warn(`Skipping the browser test: no chromium at ${CHROMIUM} (apt-get install chromium, or set SER_NATIVE_CHROMIUM).`);
const maybe = haveBrowser ? describe : describe.skip;

maybe('the web page in headless chromium', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-browser-'));
  let app: FastifyInstance;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let clip: string;

  beforeAll(async () => {
    let bundle = process.env.SER_NATIVE_SERVE_MODEL;
    if (!bundle) {
      bundle = path.join(tmp, 'model');
      untrainedBundle(bundle, ['neutral', 'happy', 'sad', 'angry'], 5);
    }
    // A real RAVDESS recording for the fake microphone and the upload, or a generated one without ../shared.
    if (HAVE_SHARED_DATA) clip = SAMPLE_CLIPS[0];
    else {
      console.warn('The browser test uses a generated WAV: ../shared/data is not on this machine.');
      const demo = ensureDemoCorpus(path.join(tmp, 'demo'), { actors: 1, emotions: ['angry'], seconds: 3 });
      const dir = path.join(demo.dir, fs.readdirSync(demo.dir).find((d) => d.startsWith('Actor_'))!);
      clip = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.wav'))!);
    }
    app = await createServer({ model: loadModel(bundle), modelPath: bundle });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 820 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${clip}`,
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  }, 120000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the page loads the model description', async () => {
    await page.goto(base);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
    expect(await page.textContent('#model')).toMatch(/emotions · .* s windows/);
    expect(await page.locator('#legend li').count()).toBeGreaterThan(2);
  });

  test('"Use microphone" streams the fake capture over the WebSocket and shows predictions', async () => {
    await page.click('#mic');
    await page.waitForFunction(() => Number(document.body.dataset.micSegments ?? 0) >= 4, null, { timeout: 60000 });
    const st = await page.evaluate(() => {
      const s = (window as unknown as { serState: { segments: { speech: boolean; emotion: string | null; start: number }[] } }).serState;
      return { n: s.segments.length, speech: s.segments.filter((x) => x.speech).length, starts: s.segments.map((x) => x.start) };
    });
    expect(st.n).toBeGreaterThanOrEqual(4);
    // Windows follow each other one hop (0.5 s) apart, as the stream produces them.
    expect(st.starts[1] - st.starts[0]).toBeCloseTo(0.5, 2);
    expect(st.speech).toBeGreaterThan(0); // the clip has speech: some window is scored
    expect(await page.textContent('#current')).not.toBe('–');
    expect(await page.textContent('#status')).toMatch(/streaming .* s at \d+ Hz/);
    await page.click('#mic');
    await page.waitForFunction(() => document.getElementById('mic')!.textContent === 'Use microphone');
  });

  test('choosing a WAV file draws its timeline and spectrogram', async () => {
    await page.setInputFiles('#file', clip);
    await page.waitForFunction(() => Number(document.body.dataset.fileSegments ?? 0) > 0, null, { timeout: 60000 });
    const n = await page.evaluate(() => (window as unknown as { serState: { segments: unknown[] } }).serState.segments.length);
    const api = await (await fetch(`${base}/v1/predict?timeline=1&hop=0.25`, { method: 'POST', body: fs.readFileSync(clip), headers: { 'content-type': 'audio/wav' } })).json();
    expect(n).toBe((api as { segments: unknown[] }).segments.length);
    await page.waitForFunction(() => (document.getElementById('spectrogram') as HTMLImageElement).naturalWidth > 0);
    expect(await page.isVisible('#spectrogram')).toBe(true);
    expect(await page.textContent('#status')).toMatch(/windows, \d+ with speech/);
    // Something was drawn: the timeline canvas is not blank.
    const inked = await page.evaluate(() => {
      const c = document.getElementById('timeline') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n / (c.width * c.height);
    });
    expect(inked).toBeGreaterThan(0.2);
    if (process.env.SER_NATIVE_SCREENSHOT) await page.screenshot({ path: process.env.SER_NATIVE_SCREENSHOT, fullPage: true });
  });
});
