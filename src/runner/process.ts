// One CLI process run to its end; each concern is its own file: the stop sequence
// (stop.ts), the output and its drain (output.ts), the exit (exit.ts), the runs under
// way (active.ts), whom to signal (signal.ts) and the leftovers' sweep (sweep.ts).
import readline from 'node:readline';
import { execa } from 'execa';
import { track, untrack } from './active.js';
import type { Command, ProcessEnd, RunOptions } from './command.js';
import { watchExit } from './exit.js';
import { Output } from './output.js';
import { reportedPid, signal } from './signal.js';
import { StopSequence } from './stop.js';
import { RUN_MARKER, sweep } from './sweep.js';

/**
 * Runs one CLI process to its end and always returns: it is stopped with SIGINT
 * (the CLI's clean stop), then SIGTERM, then SIGKILL of its process group, on
 * timeout or shutdown; afterwards every process that still carries the run's
 * marker is killed. The end is the process's exit, not its pipes' end, so a
 * grandchild holding stdout open cannot hang the cycle.
 */
export async function runProcess(cmd: Command, opts: RunOptions): Promise<ProcessEnd> {
  const started = Date.now();
  const child = execa(cmd.file, cmd.args, {
    cwd: cmd.cwd,
    env: { ...cmd.env, [RUN_MARKER]: opts.runId },
    extendEnv: false,
    input: cmd.stdin,
    buffer: false,
    reject: false,
    detached: true,
    cleanup: false,
    stdio: ['pipe', 'pipe', 'pipe', ...(cmd.pidFd ? Array<'pipe'>(cmd.pidFd - 2).fill('pipe') : [])],
  });
  child.catch(() => undefined);
  track(opts.runId, child.pid);
  const gentle = cmd.pidFd ? reportedPid(child.stdio[cmd.pidFd] as NodeJS.ReadableStream | undefined) : undefined;
  const output = new Output(child.stdout, opts.onLines);
  if (child.stderr) readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', opts.onStderr);
  const { exit, exited } = watchExit(child, cmd.file);
  const stops = new StopSequence({ pid: child.pid, gentle, exit, exited, started });
  const disarm = stops.arm(opts);

  const end = await exit;
  untrack(opts.runId);
  disarm();
  const swept = sweep(opts.runId, child.pid ?? 0);
  signal(child.pid, 'SIGKILL');
  await output.finish([child.stdout, child.stderr]);
  return {
    exitCode: end.code,
    signal: end.signal,
    spawnError: end.error,
    stoppedBy: stops.by,
    durationMs: Date.now() - started,
    stopSteps: stops.steps,
    swept,
  };
}
