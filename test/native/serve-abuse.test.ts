// bench/serve-abuse.ts at a CI size (a few seconds of flood): the server stays up, /healthz answers
// during and after, every malformed request gets a documented status (never a 5xx), and valid
// uploads under the flood are answered 200. The full run is `npm run bench:serve-abuse` (README).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { checkDist, dist } from '../helpers/dist';

test('malformed requests, a short flood, slow clients and bad WebSockets: the server stays up and answers as documented', () => {
  checkDist();
  const args = ['--seconds', '3', '--malformed', '150', '--connections', '8', '--slow', '4', '--ws', '6', '--seed', '11', '--json'];
  const r = spawnSync(process.execPath, [path.join(dist, 'bench', 'serve-abuse.js'), ...args], { encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) throw new Error(`serve-abuse failed (${r.status ?? r.signal}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const report = JSON.parse(r.stdout);
  expect(report.failed).toBe(false);
  expect(report.serverAlive).toBe(true);
  expect(report.malformed.sent).toBe(150);
  expect(report.malformed.undocumented).toEqual([]);
  // Refusals are the documented ones: bad WAVs 400, over the body limit 413, wrong types 415, unknown routes 404.
  const statuses = Object.keys(report.malformed.byStatus).filter((s) => /^\d+$/.test(s)).map(Number);
  expect(statuses.every((s) => [200, 400, 404, 413, 415].includes(s))).toBe(true);
  expect(statuses).toEqual(expect.arrayContaining([400, 413, 415]));
  expect(report.malformed.byKind['declared body over the limit']).toEqual({ 413: expect.any(Number) });
  expect(Object.keys(report.flood.byStatus)).toEqual(['200']);
  expect(report.flood.requests).toBeGreaterThan(0);
  for (const phase of ['idle', 'malformed', 'abuse', 'after']) expect(report.healthz[phase].n).toBeGreaterThan(0);
  expect(report.healthz.after.failed).toBe(0);
  // Garbage frames are answered with a close (1002 protocol error or 1007/1008), not a crash.
  expect(Object.keys(report.websockets.closes).length).toBeGreaterThan(0);
  expect(report.rssMb.after).toBeGreaterThan(0);
}, 320000);
