// Progress output: a redrawn line on a TTY, plain lines otherwise, nothing with --json; and the
// "next:" line that ends a summary.
import * as path from 'path';
export interface ProgressSink {
  line(text: string): void;
  status(text: string): void;
  done(): void;
}

export function progressSink(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const tty = Boolean(stream.isTTY);
  let last = 0;
  let shown = false;
  return {
    line(text) {
      if (!enabled) return;
      if (shown && tty) stream.write('\r\x1b[K');
      shown = false;
      stream.write(text + '\n');
    },
    status(text) {
      if (!enabled) return;
      const now = Date.now();
      if (!tty) {
        if (now - last < 5000) return; // plain logs: at most one status line every 5 s
        last = now;
        stream.write(text + '\n');
        return;
      }
      if (now - last < 100) return;
      last = now;
      stream.write('\r\x1b[K' + text.slice(0, (stream.columns || 100) - 1));
      shown = true;
    },
    done() {
      if (shown && tty) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

export function bar(fraction: number, width = 24): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '[' + '#'.repeat(n) + '.'.repeat(width - n) + ']';
}

/** A path as one shell word (quoted only when it needs to be). */
const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** "next: npx ser-native predict --model DIR some.wav", DIR relative to the current folder when inside it. */
export function nextPredictLine(modelDir: string): string {
  const rel = path.relative(process.cwd(), path.resolve(modelDir));
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(modelDir);
  return `next: npx ser-native predict --model ${shellWord(shown)} some.wav`;
}
