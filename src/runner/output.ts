// The CLI's output: complete stdout lines to the consumer, one Buffer per pipe read,
// with the pipe paused while the consumer catches up; after the exit, drained to its
// end unless a pipe stays open with nothing coming.
import type { Readable } from 'node:stream';
import { LineBuffer } from '../stream/line-buffer.js';
import type { RunOptions } from './command.js';
import { within } from './within.js';

const PIPE_DRAIN_MS = 2_000;

export class Output {
  private readonly lines: LineBuffer<ReturnType<RunOptions['onLines']>>;
  /** While the run log catches up, the CLI's output is paused; that wait is ours, not a stuck pipe. */
  private catchingUp: Promise<void> | undefined;
  private readonly done: Promise<void>;

  constructor(stdout: Readable | null | undefined, onLines: RunOptions['onLines']) {
    this.lines = new LineBuffer(onLines);
    this.done = new Promise<void>((resolve) => {
      if (!stdout) return resolve();
      stdout.on('data', (chunk: Buffer) => {
        const wait = this.lines.push(chunk);
        if (wait) {
          stdout.pause();
          this.catchingUp = wait.then(() => {
            this.catchingUp = undefined;
            stdout.resume();
          });
        }
      });
      stdout.on('close', resolve);
      stdout.on('error', () => resolve());
    });
  }

  /**
   * After the exit: the rest of the output is read to its end, however long the run log
   * takes to catch up; only a pipe that stays open with nothing coming (a grandchild
   * holding it) is cut, and with it `pipes`.
   */
  async finish(pipes: (Readable | null | undefined)[]): Promise<void> {
    let drained: boolean | undefined;
    while (!drained) {
      if (this.catchingUp) await this.catchingUp;
      drained = await within(
        this.done.then(() => true),
        PIPE_DRAIN_MS,
      );
      if (!drained && !this.catchingUp) break;
    }
    if (!drained) for (const pipe of pipes) pipe?.destroy();
    await this.lines.end();
  }
}
