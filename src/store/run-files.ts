import fs from 'node:fs';
import path from 'node:path';
import { expired, mayPrune } from './retention.js';
import { approvalLogToWrite, runEventsName, runLogName } from './layout.js';
import { QueuedWriter } from './queued-writer.js';
import type { LogSink, RunFiles } from './store.js';

/**
 * A tier run's story log and raw events in `dir`, open for appending (mode 0640) as
 * the run goes: nothing of the run is kept in memory. The events, the bulk of a run's
 * bytes, are written off the main thread. Throws when either file cannot be opened
 * (neither is then left open); a failed events write goes to `onError`.
 */
export function openRunFiles(dir: string, base: string, onError: (e: unknown) => void): RunFiles {
  fs.mkdirSync(dir, { recursive: true });
  const logFd = fs.openSync(path.join(dir, runLogName(base)), 'a', 0o640);
  let eventsFd: number;
  try {
    eventsFd = fs.openSync(path.join(dir, runEventsName(base)), 'a', 0o640);
  } catch (e) {
    closeQuietly(logFd);
    throw e;
  }
  const events = new QueuedWriter(eventsFd, onError);
  return {
    log: (text) => appendText(logFd, text),
    events: (bytes) => events.write(bytes),
    // No fsync, which would cost a disk flush per run.
    async close() {
      await events.drained();
      closeQuietly(logFd);
      closeQuietly(eventsFd);
    },
  };
}

/** An approved proposal's story log in `dir`, open for appending (mode 0640) as its commands run. */
export function openApprovalLog(dir: string, id: string): LogSink {
  const name = approvalLogToWrite(id);
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, name), 'a', 0o640);
  return { write: (text) => appendText(fd, text), close: () => closeQuietly(fd) };
}

/** Writes all of `text`, however many writes it takes. */
function appendText(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
  }
}

/** A whole file of a run, written at once: a sharded tier's own log, which indexes its shards'. */
export async function writeRunLog(dir: string, base: string, text: string): Promise<void> {
  await fs.promises.writeFile(path.join(dir, runLogName(base)), text, { mode: 0o640 });
}

/** Deletes what retention says is past keeping in `dir` (see retention.ts); returns the names. */
export async function pruneFiles(dir: string, days: number, now: number): Promise<string[]> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter((n) => mayPrune(n, days, now))) {
    const file = path.join(dir, name);
    try {
      if (expired((await fs.promises.stat(file)).mtimeMs, days, now)) {
        await fs.promises.unlink(file);
        removed.push(name);
      }
    } catch {
      /* gone or not ours; the next cycle tries again */
    }
  }
  return removed;
}
