import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import { runBase, runEventsName, runLogName } from '../store/layout.js';
import type { RunFiles, RunRef, Store } from '../store/store.js';

/**
 * The files of one tier run, as the store keeps them: `<base>.log`, the human story
 * (also printed to stdout with a tier prefix), and `<base>.jsonl`, the raw events.
 * Lines are written as they arrive. If the results directory cannot be written, the
 * story still reaches stdout and the run goes on; the next run tries the directory again.
 */
export class RunLog {
  private files: RunFiles | undefined;
  private failed = false;
  private opened = false;
  readonly logName: string;
  readonly jsonlName: string;

  constructor(
    private readonly store: Pick<Store, 'openRunFiles'>,
    private readonly run: RunRef,
    /** The results directory, for the operator's messages. */
    private readonly dir: string,
    private readonly prefix: string,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
    private readonly stdout: (text: string) => void,
  ) {
    this.logName = runLogName(runBase(run));
    this.jsonlName = runEventsName(runBase(run));
  }

  open(): this {
    try {
      this.files = this.store.openRunFiles(this.run, (e) => this.fail(e));
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
    if (!this.files || this.failed) return;
    try {
      this.files.log(text);
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Raw event lines, newline-terminated, as the CLI printed them, already redacted by
   * the caller (who parses the same redacted bytes, so no story line can carry a cut-off secret).
   * Returns a promise to wait on before handing more, when the file lags behind.
   */
  raw(redactedLines: Buffer): Promise<void> | undefined {
    if (redactedLines.length === 0 || this.failed || !this.files) return undefined;
    return this.files.events(redactedLines);
  }

  /** Waits for the raw events to be written, then releases both files. */
  async close(): Promise<void> {
    await this.files?.close();
    this.files = undefined;
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
