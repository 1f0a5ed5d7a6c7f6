// Whole-file writes that a crash (kill -9, power loss) cannot leave half-written: the text goes to a
// temporary file in the same folder, is fsynced, then renamed over the target in one step.
import * as fs from 'fs';
import * as path from 'path';

export function writeTextAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
