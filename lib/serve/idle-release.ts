// After a burst of predictions the block cache (native/block_cache.h) and glibc keep the burst's
// memory for reuse; a service that then sits idle should give it back. IdleRelease counts work in
// progress and calls `release` once the count has stayed at 0 for `ms` (again after each burst).
export class IdleRelease {
  private active = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly release: () => void, private readonly ms = 2000) {}

  begin(): void {
    this.active++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  end(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0 || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.active === 0 && !this.stopped) this.release();
    }, this.ms);
    this.timer.unref(); // never keeps the process alive
  }

  /** No release after this (the server is closing). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
