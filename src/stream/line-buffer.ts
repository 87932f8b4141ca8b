const INITIAL = 64 * 1024;
/** A buffer grown past this for one huge line is given back once the line is out. */
const SHRINK_ABOVE = 1024 * 1024;

/**
 * Turns pipe reads into runs of complete lines. A line cut by a read waits in one
 * reusable buffer rather than in a new allocation per read, which keeps the garbage
 * collector out of a stream of large events. The Buffer handed to `onLines` is only
 * valid during the call: consumers write or decode it at once.
 */
export class LineBuffer {
  private pending = Buffer.allocUnsafe(INITIAL);
  private length = 0;

  constructor(private readonly onLines: (lines: Buffer) => void) {}

  push(chunk: Buffer): void {
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) {
      this.append(chunk);
      return;
    }
    if (this.length === 0) this.onLines(chunk.subarray(0, end + 1));
    else {
      this.append(chunk.subarray(0, end + 1));
      this.flush();
    }
    this.append(chunk.subarray(end + 1));
  }

  /** Hands over a last line that had no newline. */
  end(): void {
    if (this.length === 0) return;
    this.append(Buffer.from('\n'));
    this.flush();
  }

  private flush(): void {
    const n = this.length;
    this.length = 0;
    this.onLines(this.pending.subarray(0, n));
    if (this.pending.length > SHRINK_ABOVE) this.pending = Buffer.allocUnsafe(INITIAL);
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.length + bytes.length > this.pending.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.pending.length * 2, this.length + bytes.length));
      this.pending.copy(bigger, 0, 0, this.length);
      this.pending = bigger;
    }
    bytes.copy(this.pending, this.length);
    this.length += bytes.length;
  }
}
