// A seeded WAV mutator for the fuzz harness: each mutant is a seed WAV (real or synthetic) with one to
// three structural or numeric mutations, the kinds a broken writer, a truncated upload or an attacker
// produce. Deterministic for a given (seed, index).
import { encodeWav } from '../../lib/audio/wav';
import { Rng } from '../../lib/random';

/** Offsets of the canonical 44-byte header (synthetic seeds; real files are searched for 'fmt '/'data'). */
interface Layout {
  fmt: number; // start of the fmt chunk body
  data: number; // start of the data chunk header
}

function layout(b: Buffer): Layout | null {
  let pos = 12;
  let fmt = -1;
  let data = -1;
  while (pos + 8 <= b.length && (fmt < 0 || data < 0)) {
    const id = b.toString('latin1', pos, pos + 4);
    const size = b.readUInt32LE(pos + 4);
    if (id === 'fmt ') fmt = pos + 8;
    if (id === 'data') data = pos;
    pos += 8 + size + (size & 1);
  }
  return fmt >= 0 && data >= 0 ? { fmt, data } : null;
}

export const MUTATIONS = [
  'sampleRate',
  'channels',
  'bitsPerSample',
  'blockAlign',
  'formatCode',
  'dataSize',
  'riffSize',
  'chunkId',
  'truncate',
  'extend',
  'swapChunks',
  'junkChunk',
  'floatSpecials',
  'byteFlips',
  'hugeDeclared',
  'empty',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

const EXTREME_U32 = [0, 1, 7, 999, 1000, 8000, 16000, 44100, 768000, 768001, 1e9, 0x7fffffff, 0xffffffff];
const EXTREME_U16 = [0, 1, 2, 3, 7, 8, 12, 16, 20, 24, 32, 33, 64, 255, 256, 0xfffe, 0xffff];

function mutateOnce(b: Buffer, rng: Rng, kind: Mutation): { bytes: Buffer; note: string } {
  const l = layout(b);
  const set16 = (off: number, v: number) => off + 2 <= b.length && b.writeUInt16LE(v & 0xffff, off);
  const set32 = (off: number, v: number) => off + 4 <= b.length && b.writeUInt32LE(v >>> 0, off);
  switch (kind) {
    case 'sampleRate': {
      const v = rng.choice(EXTREME_U32);
      if (l) set32(l.fmt + 4, v);
      return { bytes: b, note: `sampleRate=${v}` };
    }
    case 'channels': {
      const v = rng.choice(EXTREME_U16);
      if (l) set16(l.fmt + 2, v);
      return { bytes: b, note: `channels=${v}` };
    }
    case 'bitsPerSample': {
      const v = rng.choice(EXTREME_U16);
      if (l) set16(l.fmt + 14, v);
      return { bytes: b, note: `bitsPerSample=${v}` };
    }
    case 'blockAlign': {
      const v = rng.choice(EXTREME_U16);
      if (l) set16(l.fmt + 12, v);
      return { bytes: b, note: `blockAlign=${v}` };
    }
    case 'formatCode': {
      const v = rng.choice([0, 1, 2, 3, 6, 7, 0x11, 0x55, 0xfffe, 0xffff]);
      if (l) set16(l.fmt, v);
      return { bytes: b, note: `formatCode=0x${v.toString(16)}` };
    }
    case 'dataSize': {
      const v = rng.choice([0, 1, 2, 3, 0x7fffffff, 0xffffffff, rng.int(b.length * 2 + 1)]);
      if (l) set32(l.data + 4, v);
      return { bytes: b, note: `dataSize=${v}` };
    }
    case 'riffSize': {
      const v = rng.choice([0, 4, 0xffffffff, rng.int(b.length * 2 + 1)]);
      set32(4, v);
      return { bytes: b, note: `riffSize=${v}` };
    }
    case 'chunkId': {
      const at = l ? rng.choice([0, 8, l.fmt - 8, l.data]) : 0;
      const id = rng.choice(['RIFX', 'RF64', 'fmt\0', '\0\0\0\0', 'data', 'LIST', 'fLaC', '\x01\x02\x03\x04']);
      if (at + 4 <= b.length) b.write(id, at, 'latin1');
      return { bytes: b, note: `id@${at}=${JSON.stringify(id)}` };
    }
    case 'truncate': {
      const n = rng.choice([0, 1, 4, 11, 12, 20, 36, 43, 44, 45, rng.int(b.length + 1)]);
      return { bytes: b.subarray(0, Math.min(n, b.length)), note: `truncate=${n}` };
    }
    case 'extend': {
      const n = rng.int(4096);
      return { bytes: Buffer.concat([b, Buffer.alloc(n, rng.int(256))]), note: `extend=${n}` };
    }
    case 'swapChunks': {
      if (!l) return { bytes: b, note: 'swap(none)' };
      // data chunk moved before fmt (legal), or fmt dropped.
      const fmtStart = l.fmt - 8;
      const fmtEnd = l.fmt + b.readUInt32LE(l.fmt - 4);
      const fmtChunk = b.subarray(fmtStart, fmtEnd);
      const rest = Buffer.concat([b.subarray(12, fmtStart), b.subarray(fmtEnd)]);
      const drop = rng.chance(0.3);
      return { bytes: Buffer.concat([b.subarray(0, 12), rest, drop ? Buffer.alloc(0) : fmtChunk]), note: drop ? 'dropFmt' : 'fmtAfterData' };
    }
    case 'junkChunk': {
      const size = rng.choice([0, 1, 3, 100, 0x7fffffff, 0xffffffff]);
      const head = Buffer.alloc(8);
      head.write(rng.choice(['junk', 'LIST', '\0\0\0\0', 'bext']), 0, 'latin1');
      head.writeUInt32LE(size >>> 0, 4);
      const body = Buffer.alloc(Math.min(size, 64));
      return { bytes: Buffer.concat([b.subarray(0, 12), head, body, b.subarray(12)]), note: `junk(${size})` };
    }
    case 'floatSpecials': {
      // Reinterpret as float32 and scatter NaN/Inf/huge values through the data.
      if (l) {
        set16(l.fmt, 3);
        set16(l.fmt + 14, 32);
        const ch = Math.max(1, b.readUInt16LE(l.fmt + 2));
        set16(l.fmt + 12, 4 * ch);
        for (let i = 0; i < 16; i++) {
          const at = l.data + 8 + 4 * rng.int(Math.max(1, (b.length - l.data - 12) >> 2));
          if (at + 4 <= b.length) b.writeFloatLE(rng.choice([NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45]), at);
        }
      }
      return { bytes: b, note: 'floatSpecials' };
    }
    case 'byteFlips': {
      const n = 1 + rng.int(16);
      for (let i = 0; i < n && b.length > 0; i++) b[rng.int(Math.min(b.length, 64))] = rng.int(256);
      return { bytes: b, note: `flips=${n}` };
    }
    case 'hugeDeclared': {
      if (l) set32(l.data + 4, 0xfffffff0);
      set32(4, 0xfffffff0);
      return { bytes: b, note: 'hugeDeclared' };
    }
    case 'empty':
      return { bytes: Buffer.alloc(0), note: 'empty' };
  }
}

/** Mutant `index` of a run: a seed chosen and mutated 1–3 times. */
export function mutant(seeds: readonly Buffer[], seed: number, index: number): { bytes: Buffer; notes: string[]; seed: number } {
  const rng = new Rng(seed * 1_000_003 + index);
  const s = rng.int(seeds.length);
  let bytes = Buffer.from(seeds[s]);
  const notes: string[] = [];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const m = mutateOnce(bytes, rng, rng.choice(MUTATIONS));
    bytes = Buffer.from(m.bytes);
    notes.push(m.note);
  }
  return { bytes, notes, seed: s };
}

/** Synthetic seeds: short speech-like tones in every encoding the reader accepts. */
export function syntheticSeeds(): Buffer[] {
  const tone = (sr: number, seconds: number) => Float32Array.from({ length: Math.round(sr * seconds) }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 180 * i) / sr) * (1 + Math.sin((2 * Math.PI * 3 * i) / sr)));
  return [encodeWav(tone(16000, 1.2), 16000), encodeWav(tone(8000, 0.5), 8000, { format: 'float32' }), encodeWav(tone(44100, 0.4), 44100), encodeWav(tone(16000, 0.05), 16000)];
}
