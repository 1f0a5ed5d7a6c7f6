// Micro-batching of window scoring: callers that ask while a native call is running are served
// together by the next one (one libuv job, one forward pass), so concurrent predictions and streams
// cost one call per batch, not one per caller, and the JS thread never waits on the network.
export type ScoreAsync = (data: Float32Array, n: number, frames: number) => Promise<Float32Array>;

interface Job {
  data: Float32Array;
  n: number;
  resolve: (p: Float32Array) => void;
  reject: (e: unknown) => void;
}

export interface WindowQueueStats {
  /** Native calls made, windows scored, and the largest batch seen. */
  calls: number;
  windows: number;
  maxBatch: number;
  /** Windows waiting for the next call. */
  pending: number;
}

export class WindowQueue {
  private readonly score: ScoreAsync;
  private readonly windowSize: number;
  private readonly frames: number;
  private readonly classes: number;
  private readonly maxWindows: number;
  private jobs: Job[] = [];
  private running = false;
  private readonly counts = { calls: 0, windows: 0, maxBatch: 0 };

  /** `windowSize` floats per window ([nMels, frames]); at most `maxWindows` windows per native call. */
  constructor(score: ScoreAsync, windowSize: number, frames: number, classes: number, maxWindows = 64) {
    this.score = score;
    this.windowSize = windowSize;
    this.frames = frames;
    this.classes = classes;
    this.maxWindows = maxWindows;
  }

  /** Probabilities [n, classes] for n stacked windows, scored with whatever else is waiting. */
  run(data: Float32Array, n: number): Promise<Float32Array> {
    if (n === 0) return Promise.resolve(new Float32Array(0));
    return new Promise((resolve, reject) => {
      this.jobs.push({ data, n, resolve, reject });
      // Let callers of the same tick join before the first call.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  stats(): WindowQueueStats {
    return { ...this.counts, pending: this.jobs.reduce((a, j) => a + j.n, 0) };
  }

  private async drain(): Promise<void> {
    while (this.jobs.length > 0) {
      // Whole jobs only, so a caller's windows are never split across calls (one job may exceed maxWindows).
      let n = 0;
      let k = 0;
      while (k < this.jobs.length && (k === 0 || n + this.jobs[k].n <= this.maxWindows)) n += this.jobs[k++].n;
      const batch = this.jobs.splice(0, k);
      const data = batch.length === 1 ? batch[0].data : new Float32Array(n * this.windowSize);
      if (batch.length > 1) {
        let o = 0;
        for (const j of batch) {
          data.set(j.data.subarray(0, j.n * this.windowSize), o);
          o += j.n * this.windowSize;
        }
      }
      this.counts.calls++;
      this.counts.windows += n;
      this.counts.maxBatch = Math.max(this.counts.maxBatch, n);
      try {
        const probs = await this.score(data, n, this.frames);
        let row = 0;
        for (const j of batch) {
          j.resolve(probs.slice(row * this.classes, (row + j.n) * this.classes));
          row += j.n;
        }
      } catch (e) {
        for (const j of batch) j.reject(e);
      }
    }
    this.running = false;
  }
}
