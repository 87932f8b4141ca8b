import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import { runEventsName, runLogName } from '../store/layout.js';
import { QueuedWriter } from './queued-writer.js';

/**
 * The files of one tier run: `<base>.log`, the human story (also printed to stdout
 * with a tier prefix), and `<base>.jsonl`, the raw events. Lines are written as they
 * arrive. If the results directory cannot be written, the story still reaches
 * stdout and the run goes on; the next run tries the directory again.
 */
export class RunLog {
  private logFd: number | undefined;
  private jsonlFd: number | undefined;
  /** The raw events are the bulk of a run's bytes; they are written off the main thread. */
  private jsonl: QueuedWriter | undefined;
  private failed = false;
  private opened = false;
  readonly logName: string;
  readonly jsonlName: string;

  constructor(
    private readonly dir: string,
    base: string,
    private readonly prefix: string,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
    private readonly stdout: (text: string) => void,
  ) {
    this.logName = runLogName(base);
    this.jsonlName = runEventsName(base);
  }

  open(): this {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.logFd = fs.openSync(path.join(this.dir, this.logName), 'a', 0o640);
      this.jsonlFd = fs.openSync(path.join(this.dir, this.jsonlName), 'a', 0o640);
      this.jsonl = new QueuedWriter(this.jsonlFd, (e) => this.fail(e));
      this.opened = true;
    } catch (e) {
      this.fail(e);
    }
    return this;
  }

  /** Whether both files were opened and written to the end. */
  get complete(): boolean {
    return this.opened && !this.failed;
  }

  story(lines: string[]): void {
    if (lines.length === 0) return;
    const text = this.redactor.redact(lines.join('\n') + '\n');
    this.stdout(this.prefix + text.slice(0, -1).replaceAll('\n', `\n${this.prefix}`) + '\n');
    this.write(this.logFd, text);
  }

  /**
   * Raw event lines, newline-terminated, as the CLI printed them, already redacted by
   * the caller (who parses the same redacted bytes, so no story line can carry a cut-off secret).
   * Returns a promise to wait on before handing more, when the file lags behind.
   */
  raw(redactedLines: Buffer): Promise<void> | undefined {
    if (redactedLines.length === 0 || this.failed || !this.jsonl) return undefined;
    return this.jsonl.write(redactedLines);
  }

  /** Waits for the raw events to be written, then releases both files. No fsync, which would cost a disk flush per run. */
  async close(): Promise<void> {
    await this.jsonl?.drained();
    for (const fd of [this.logFd, this.jsonlFd]) {
      if (fd === undefined) continue;
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.logFd = this.jsonlFd = undefined;
    this.jsonl = undefined;
  }

  private write(fd: number | undefined, text: string): void {
    if (fd === undefined || this.failed) return;
    try {
      const bytes = Buffer.from(text);
      for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    this.logger.warn(
      { dir: this.dir, file: this.logName, code },
      `cannot write the run log under ${this.dir} (${code}); this run is logged to stdout only. Check that the results directory is writable and has free space.`,
    );
  }
}
