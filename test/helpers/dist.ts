// Worker processes and the CLI run the compiled JavaScript in dist/: tests that spawn them fail
// clearly when a file they load is missing or older than its TypeScript source.
import * as fs from 'fs';
import * as path from 'path';

export const root = path.resolve(__dirname, '..', '..');
export const dist = path.join(root, 'dist');
export const cli = path.join(dist, 'bin', 'ser-native.js');
export const workerJs = path.join(dist, 'lib', 'optimize', 'evaluators', 'pool', 'eval-worker.js');

/** Follows the requires from the CLI and the evaluation worker and checks every file against its source. */
export function checkDist(): void {
  const fix = 'run `npx tsc -p tsconfig.json` before these tests';
  const seen = new Set<string>();
  const stale: string[] = [];
  const visit = (js: string): void => {
    if (seen.has(js)) return;
    seen.add(js);
    const source = path.join(root, path.relative(dist, js)).replace(/\.js$/, '.ts');
    if (!fs.existsSync(js)) {
      if (fs.existsSync(source)) stale.push(`${path.relative(root, js)} is missing`);
      return;
    }
    if (fs.existsSync(source) && fs.statSync(source).mtimeMs > fs.statSync(js).mtimeMs) stale.push(`${path.relative(root, js)} is older than ${path.relative(root, source)}`);
    for (const m of fs.readFileSync(js, 'utf8').matchAll(/require\(["'](\.{1,2}\/[^"']+)["']\)/g)) {
      const target = path.resolve(path.dirname(js), m[1]);
      visit(fs.existsSync(`${target}.js`) || !fs.existsSync(target) ? `${target}.js` : path.join(target, 'index.js'));
    }
  };
  if (!fs.existsSync(workerJs) || !fs.existsSync(cli)) throw new Error(`dist/ has no compiled eval-worker.js or ser-native.js: ${fix}`);
  visit(workerJs);
  visit(cli);
  if (stale.length > 0) throw new Error(`dist/ is out of date (${stale.slice(0, 3).join('; ')}${stale.length > 3 ? `; ${stale.length - 3} more` : ''}): ${fix}`);
}
