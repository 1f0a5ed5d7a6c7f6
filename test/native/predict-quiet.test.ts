// The CLI's predict prints no LibTorch start-up noise (NNPACK is disabled at load in native/addon.cc):
// before, "Could not initialize NNPACK! Reason: Unsupported hardware." came once per prediction.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli, checkDist } from '../helpers/dist';
import { untrainedBundle } from '../helpers/bundles';
import { writeWav } from '../../lib/audio/wav';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-quiet-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('predict on several files: stderr has no NNPACK (or other LibTorch) warning', () => {
  checkDist();
  const dir = path.join(tmp, 'model');
  untrainedBundle(dir, ['calm', 'angry'], 3);
  const files = [0, 1, 2].map((i) => {
    const sr = 16000;
    const s = Float32Array.from({ length: sr * 2 }, (_, t) => 0.3 * Math.sin((2 * Math.PI * (150 + 40 * i) * t) / sr) * (1 + Math.sin((2 * Math.PI * 3 * t) / sr)) / 2);
    const f = path.join(tmp, `clip${i}.wav`);
    writeWav(f, s, sr);
    return f;
  });
  const r = spawnSync(process.execPath, [cli, 'predict', '--model', dir, '--json', ...files], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toHaveLength(3);
  expect(r.stderr).not.toMatch(/NNPACK/);
  expect(r.stderr).not.toMatch(/\[W[0-9]+ |Warning: /);
});
