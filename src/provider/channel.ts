/**
 * A queue between a producer that is called back (a process's output) and a consumer
 * that pulls (`for await`). The producer learns from `drained()` when to pause: the
 * consumer's own pace (a run log catching up) reaches back to the process's pipe.
 */
export class Channel<T> implements AsyncIterable<T> {
  private queue: T[] = [];
  private closed = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private idle: (() => void)[] = [];
  /** The consumer has stopped taking items: nothing waits for it any more. */
  private abandoned = false;

  constructor(private readonly highWater = 64) {}

  push(item: T): void {
    if (this.abandoned) return;
    this.queue.push(item);
    this.wake?.();
  }

  /** Undefined while the consumer keeps up; else resolves once it has taken everything pushed so far. */
  drained(): Promise<void> | undefined {
    if (this.abandoned || this.queue.length < this.highWater) return undefined;
    return new Promise((resolve) => this.idle.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Ends the items with an error, thrown to the consumer after what came before it. */
  fail(error: unknown): void {
    this.failure = { error };
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        const batch = this.queue;
        this.queue = [];
        for (const item of batch) yield item;
        if (this.queue.length) continue;
        this.release();
        if (this.failure) throw this.failure.error;
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.abandoned = true;
      this.release();
    }
  }

  private release(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
