// Resampling of a stream that arrives in chunks: the same polyphase kernel as resample() (lib/audio/
// resample.ts), applied statefully so that the output of any chunking equals resample() of the
// whole signal (no seams at chunk borders). Only the kernel's support is kept between chunks.
import { getResampler, Resampler } from './resample';

export class ChunkResampler {
  readonly fromRate: number;
  readonly toRate: number;
  private readonly r: Resampler | null;
  /** Input samples kept from `keptFrom` (global input index) on. */
  private kept = new Float32Array(0);
  private keptFrom = 0;
  /** Input samples received so far, and output samples produced. */
  private received = 0;
  private produced = 0;

  constructor(fromRate: number, toRate: number) {
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.r = fromRate === toRate ? null : getResampler(fromRate, toRate);
  }

  /** Output samples whose whole kernel support has arrived. */
  push(chunk: Float32Array): Float32Array {
    this.received += chunk.length;
    if (!this.r) return chunk;
    const joined = new Float32Array(this.kept.length + chunk.length);
    joined.set(this.kept);
    joined.set(chunk, this.kept.length);
    this.kept = joined;
    return this.emit(false);
  }

  /** The remaining output (the signal is zero after its end, as in resample()). */
  flush(): Float32Array {
    if (!this.r) return new Float32Array(0);
    return this.emit(true);
  }

  private emit(final: boolean): Float32Array {
    const r = this.r!;
    const { orig, taps, kernel, offsets } = r;
    const nw = r.new;
    const total = final ? r.outputLength(this.received) : Infinity;
    const out: number[] = [];
    const x = this.kept;
    const base = this.keptFrom;
    for (let j = this.produced; j < total; j++) {
      const block = Math.floor(j / nw);
      const phase = j - block * nw;
      const start = block * orig + offsets[phase];
      if (!final && start + taps > this.received) break;
      let acc = 0;
      const kBase = phase * taps;
      const k0 = Math.max(0, base - start);
      const k1 = Math.min(taps, this.received - start);
      for (let k = k0; k < k1; k++) acc += kernel[kBase + k] * x[start - base + k];
      out.push(acc);
      this.produced = j + 1;
    }
    // Keep what the next output sample's kernel needs (phase 0 starts earliest).
    const nb = Math.floor(this.produced / nw);
    const need = Math.max(base, nb * orig + offsets[0]);
    if (need > base) {
      this.kept = this.kept.slice(Math.min(this.kept.length, need - base));
      this.keptFrom = Math.min(need, base + x.length);
    }
    return Float32Array.from(out);
  }
}
