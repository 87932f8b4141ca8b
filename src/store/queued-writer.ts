import fs from 'node:fs';

const HIGH_WATER = 1024 * 1024;

/**
 * Appends bytes to an open file off the main thread, in order: one `writev` at a
 * time, of everything queued since the last. `write` copies what it is given (callers
 * reuse their buffers) and asks the producer to wait while the backlog is over the
 * high-water mark, so memory stays bounded however fast the producer is.
 */
export class QueuedWriter {
  private queue: Buffer[] = [];
  private queued = 0;
  private busy = false;
  private waiting: (() => void)[] = [];
  private failed = false;

  constructor(
    private readonly fd: number,
    private readonly onError: (e: unknown) => void,
    private readonly highWater = HIGH_WATER,
  ) {}

  /** Queues the bytes; returns a promise to wait on when the backlog is too large, else undefined. */
  write(bytes: Buffer): Promise<void> | undefined {
    if (this.failed || bytes.length === 0) return undefined;
    this.queue.push(Buffer.from(bytes));
    this.queued += bytes.length;
    this.pump();
    return this.queued > this.highWater ? new Promise((resolve) => this.waiting.push(resolve)) : undefined;
  }

  /** Resolves once everything queued is in the file (or writing has failed). */
  async drained(): Promise<void> {
    while (this.busy || this.queue.length) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const batch = this.queue.splice(0);
    fs.writev(this.fd, batch, (err, written) => {
      this.busy = false;
      if (err) {
        this.failed = true;
        this.queue = [];
        this.queued = 0;
        this.onError(err);
      } else {
        const rest = remainder(batch, written);
        this.queue.unshift(...rest);
        this.queued -= written;
      }
      if (this.queued <= this.highWater || this.failed) this.waiting.splice(0).forEach((resolve) => resolve());
      this.pump();
    });
  }
}

/** What a short write left of a batch. */
function remainder(batch: Buffer[], written: number): Buffer[] {
  let skip = written;
  const rest: Buffer[] = [];
  for (const b of batch) {
    if (skip >= b.length) skip -= b.length;
    else {
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return rest;
}
