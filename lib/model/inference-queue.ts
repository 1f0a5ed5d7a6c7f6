// One model's asynchronous predictions, in order and micro-batched: the native call runs on the
// libuv pool while JS goes on; requests that arrive meanwhile wait and then go together in the
// next call (one log-mel batch, one forward), so concurrent predictAsync() calls never meet a busy
// model and many small requests cost about one large one.

/** Most clips in one native call: bounds the memory of a burst of requests. */
export const MAX_BATCH_CLIPS = 64;

interface Pending<I, T> {
  clips: I[];
  /** A call that runs alone, in turn (e.g. a timeline's per-window scoring). */
  solo?: () => Promise<unknown>;
  resolve: (rows: T[]) => void;
  reject: (e: unknown) => void;
}

export interface QueueStats {
  /** Native calls made, clips scored by them, the most clips in one call, and whether one runs now. */
  calls: number;
  clips: number;
  maxBatch: number;
  busy: boolean;
}

/** I: what one clip of a request is (its samples, and whatever else the native call takes per clip); T: its row. */
export class InferenceQueue<I, T> {
  private pending: Pending<I, T>[] = [];
  private running = false;
  private readonly counts = { calls: 0, clips: 0, maxBatch: 0 };

  /** `run` scores a batch of clips and returns one row per clip, in order. */
  constructor(private readonly run: (clips: I[]) => Promise<T[]>) {}

  /** Resolves with one row per clip of `clips`. */
  submit(clips: I[]): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      this.pending.push({ clips, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Runs `call` alone when its turn comes (after the requests already queued). */
  solo<R>(call: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ clips: [], solo: call, resolve: resolve as unknown as (rows: T[]) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  stats(): QueueStats {
    return { ...this.counts, busy: this.running };
  }

  /** Whether a native call is in flight (a synchronous predict would then find the model busy). */
  get busy(): boolean {
    return this.running;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        if (this.pending[0].solo) {
          const p = this.pending.shift()!;
          await p.solo!().then(p.resolve as (r: unknown) => void, p.reject);
          continue;
        }
        // Take whole requests up to MAX_BATCH_CLIPS (a larger single request goes alone).
        const batch: Pending<I, T>[] = [];
        let clips = 0;
        while (this.pending.length > 0 && !this.pending[0].solo && (batch.length === 0 || clips + this.pending[0].clips.length <= MAX_BATCH_CLIPS)) {
          const p = this.pending.shift()!;
          batch.push(p);
          clips += p.clips.length;
        }
        this.counts.calls++;
        this.counts.clips += clips;
        this.counts.maxBatch = Math.max(this.counts.maxBatch, clips);
        try {
          const rows = await this.run(batch.flatMap((p) => p.clips));
          let at = 0;
          for (const p of batch) {
            p.resolve(rows.slice(at, at + p.clips.length));
            at += p.clips.length;
          }
        } catch (e) {
          // One bad request must not fail the others batched with it: retry them one by one.
          if (batch.length === 1) batch[0].reject(e);
          else for (const p of batch) await this.run(p.clips).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
