// Requests' work on the JS thread (WAV parsing, resampling, speech detection before the native call)
// taken one request per event-loop turn. Without it a burst of uploads ran all its decodes in one
// poll phase, and /healthz, new connections and finished predictions waited behind all of them.
export class Turns {
  private last: Promise<void> = Promise.resolve();

  /** Resolves in a later event-loop turn than the previous caller's (a setImmediate chain). */
  next(): Promise<void> {
    const turn = this.last.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.last = turn;
    return turn;
  }
}
