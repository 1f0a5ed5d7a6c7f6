// The layer map (.dependency-cruiser.cjs, docs/ARCHITECTURE.md) holds: no cycles, no upward or sideways
// imports between lib/ folders, no yargs in lib/, the addon loaded only by lib/binding.ts, bullmq only
// inside the queue code.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

test('dependency-cruiser finds no violation of the layer rules in lib/ and bin/', () => {
  const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [depcruise, 'lib', 'bin', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: root, encoding: 'utf8' });
  // The rules only mean something if the whole tree was read.
  expect(`${r.stdout}${r.stderr}`).toMatch(/no dependency violations found \((\d{3,}) modules/);
  expect(r.status).toBe(0);
}, 120000);
