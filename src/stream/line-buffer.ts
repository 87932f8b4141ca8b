const INITIAL = 64 * 1024;
/** A buffer grown past this for one huge line is given back once the line is out. */
const SHRINK_ABOVE = 1024 * 1024;

/**
 * Turns pipe reads into runs of complete lines. A line cut by a read waits in one
 * reusable buffer rather than in a new allocation per read, which keeps the garbage
 * collector out of a stream of large events. The Buffer handed to `onLines` is only
 * valid during the call: consumers write or decode it at once.
 */
export class LineBuffer<R = void> {
  private pending = Buffer.allocUnsafe(INITIAL);
  private length = 0;

  constructor(private readonly onLines: (lines: Buffer) => R) {}

  /** Returns what `onLines` returned, when it was called. */
  push(chunk: Buffer): R | undefined {
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) {
      this.append(chunk);
      return undefined;
    }
    let result: R;
    if (this.length === 0) result = this.onLines(chunk.subarray(0, end + 1));
    else {
      this.append(chunk.subarray(0, end + 1));
      result = this.flush();
    }
    this.append(chunk.subarray(end + 1));
    return result;
  }

  /** Hands over a last line that had no newline. */
  end(): R | undefined {
    if (this.length === 0) return undefined;
    this.append(Buffer.from('\n'));
    return this.flush();
  }

  private flush(): R {
    const n = this.length;
    this.length = 0;
    const result = this.onLines(this.pending.subarray(0, n));
    if (this.pending.length > SHRINK_ABOVE) this.pending = Buffer.allocUnsafe(INITIAL);
    return result;
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
