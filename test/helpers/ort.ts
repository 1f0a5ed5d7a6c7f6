// onnxruntime-node in a child process (test/helpers/ort-run.js): jest's realms break its typed-array checks.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function runOrt(file: string, name: string, data: Float32Array, dims: number[], options: { threads?: number; repeats?: number } = {}): { probabilities: number[]; ms: number[] } {
  const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ser-ort-')), 'input.bin');
  try {
    fs.writeFileSync(input, Buffer.concat([Buffer.from(JSON.stringify({ name, dims, ...options }) + '\n'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
    return JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'ort-run.js'), file, input], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  } finally {
    fs.rmSync(path.dirname(input), { recursive: true, force: true });
  }
}
