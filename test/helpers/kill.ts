// Shared by the kill -9 tests (train, optimize, serve): which processes a run started (Linux /proc), whether
// they outlive it, and whether every file it left behind is whole.
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

/** Running (a zombie waiting for its reaper is not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Collects the children `pid` starts (polled every 50 ms) until stop(); children come and go (replacements). */
export function watchChildren(pid: number): { pids: Set<number>; stop(): Set<number> } {
  const pids = new Set<number>();
  const poll = () => childrenOf(pid).forEach((p) => pids.add(p));
  poll();
  const timer = setInterval(poll, 50);
  return {
    pids,
    stop() {
      clearInterval(timer);
      return pids;
    },
  };
}

/** What a process runs, for messages ('' once it is gone). */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * Of `pids`, those still running `ms` after now, with what they run and how long they went on living (up
 * to 60 s more, then killed so no test leaves one behind): an empty list when none outlived `ms`.
 */
export async function survivors(pids: Iterable<number>, ms: number): Promise<string[]> {
  const list = [...pids];
  const commands = new Map(list.map((p) => [p, commandOf(p)]));
  const died = new Map<number, number>();
  const t0 = Date.now();
  const poll = () => list.forEach((p) => !died.has(p) && !alive(p) && died.set(p, Date.now() - t0));
  for (poll(); Date.now() - t0 < ms && died.size < list.length; poll()) await sleep(100);
  const left = list.filter((p) => !died.has(p));
  for (poll(); Date.now() - t0 < ms + 60000 && left.some((p) => !died.has(p)); poll()) await sleep(100);
  return left.map((p) => {
    if (!died.has(p)) process.kill(p, 'SIGKILL');
    return `pid ${p} (${commands.get(p)}) ${died.has(p) ? `lived ${((died.get(p) as number) / 1000).toFixed(1)} s` : 'still running after 65 s'}`;
  });
}

export interface FileCheck {
  json: number;
  jsonl: number;
  bundles: number;
  /** Problems found: a JSON that does not parse, a JSON-lines file with a bad line before its last, a bundle that does not load. */
  broken: string[];
  /** Temporary files and folders of an atomic write (`x.tmp-PID`, `x.old-PID`) left behind. */
  leftovers: string[];
}

/**
 * Every file under `dir` is whole: each .json parses, each .jsonl line parses (a torn last line aside: it
 * is appended and dropped on resume), each folder with a model.json loads as a bundle.
 */
export function checkFiles(dir: string): FileCheck {
  const r: FileCheck = { json: 0, jsonl: 0, bundles: 0, broken: [], leftovers: [] };
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (/\.(tmp|old)-\d+$/.test(e.name)) {
        r.leftovers.push(path.relative(dir, p));
        continue;
      }
      if (e.isDirectory()) {
        if (fs.existsSync(path.join(p, 'model.json'))) {
          r.bundles++;
          try {
            loadModel(p);
          } catch (err) {
            r.broken.push(`${path.relative(dir, p)}: ${(err as Error).message}`);
          }
        }
        walk(p);
      } else if (e.name.endsWith('.json')) {
        r.json++;
        try {
          JSON.parse(fs.readFileSync(p, 'utf8'));
        } catch (err) {
          r.broken.push(`${path.relative(dir, p)}: ${(err as Error).message}`);
        }
      } else if (e.name.endsWith('.jsonl')) {
        r.jsonl++;
        const lines = fs.readFileSync(p, 'utf8').split('\n');
        const last = lines.length - 1 - [...lines].reverse().findIndex((l) => l.trim() !== '');
        lines.forEach((l, i) => {
          if (l.trim() === '' || i === last) return;
          try {
            JSON.parse(l);
          } catch {
            r.broken.push(`${path.relative(dir, p)}:${i + 1} does not parse`);
          }
        });
      }
    }
  };
  walk(dir);
  return r;
}
