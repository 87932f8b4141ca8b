import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';

/**
 * The files of one tier run: `<base>.log`, the human story (also printed to stdout
 * with a tier prefix), and `<base>.jsonl`, the raw events. Lines are written as they
 * arrive. If the results directory cannot be written, the story still reaches
 * stdout and the run goes on; the next run tries the directory again.
 */
export class RunLog {
  private logFd: number | undefined;
  private jsonlFd: number | undefined;
  private failed = false;
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
    this.logName = `${base}.log`;
    this.jsonlName = `${base}.jsonl`;
  }

  open(): this {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.logFd = fs.openSync(path.join(this.dir, this.logName), 'a', 0o640);
      this.jsonlFd = fs.openSync(path.join(this.dir, this.jsonlName), 'a', 0o640);
    } catch (e) {
      this.fail(e);
    }
    return this;
  }

  /** Whether both files were written to the end. */
  get complete(): boolean {
    return !this.failed && this.logFd !== undefined;
  }

  story(lines: string[]): void {
    if (lines.length === 0) return;
    const text = this.redactor.redact(lines.join('\n') + '\n');
    this.stdout(this.prefix + text.slice(0, -1).replaceAll('\n', `\n${this.prefix}`) + '\n');
    this.write(this.logFd, text);
  }

  /** Raw event lines, newline-terminated, as the CLI printed them (secrets redacted). */
  raw(lines: Buffer): void {
    if (lines.length === 0) return;
    this.write(this.jsonlFd, this.redactor.redactBytes(lines));
  }

  /** Releases both files. Every line is already with the OS; no fsync, which would cost a disk flush per run. */
  close(): void {
    for (const fd of [this.logFd, this.jsonlFd]) {
      if (fd === undefined) continue;
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.logFd = this.jsonlFd = undefined;
  }

  private write(fd: number | undefined, text: string | Buffer): void {
    if (fd === undefined || this.failed) return;
    try {
      const bytes = typeof text === 'string' ? Buffer.from(text) : text;
      for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off);
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
