// A run probe: its command line by `sh -c` in the probes' cage (tier 1's: read-only,
// network only through the egress proxy, no secret), with its own timeout and the
// runner's process-tree control; what it printed on stdout is kept up to the limit.
import { randomUUID } from 'node:crypto';
import type { Command } from '../../runner/command.js';
import { runProcess } from '../../runner/process.js';
import { caged, type CageSpec } from '../../sandbox/cage.js';
import { OBSERVATION_LIMITS, type Observation, type ProbeTarget } from '../types.js';

type RunTarget = Extract<ProbeTarget, { kind: 'run' }>;

export interface RunPlace {
  workDir: string;
  env: Record<string, string>;
  /** The cage, unless CLAUDEOPS_SANDBOX=off. */
  cage?: CageSpec;
  shutdown: AbortSignal;
  shutdownGraceMs: number;
}

export async function observeRun(target: RunTarget, place: RunPlace, timeoutMs: number): Promise<Observation> {
  const plain: Command = { file: 'sh', args: ['-c', target.command], cwd: place.workDir, env: place.env, stdin: '' };
  let output = '';
  const end = await runProcess(place.cage ? caged(plain, place.cage) : plain, {
    runId: randomUUID(),
    timeoutMs,
    shutdown: place.shutdown,
    shutdownGraceMs: place.shutdownGraceMs,
    onLines: (lines) => {
      if (output.length < OBSERVATION_LIMITS.outputChars) output += lines.toString('utf8');
    },
    onStderr: () => undefined,
  });
  const latencyMs = end.durationMs;
  if (end.stoppedBy === 'timeout')
    return { kind: 'run', failure: { reason: 'timeout', afterMs: timeoutMs }, latencyMs };
  if (end.stoppedBy === 'shutdown')
    return { kind: 'run', failure: { reason: 'error', message: 'stopped: the daemon is shutting down' }, latencyMs };
  if (end.spawnError || end.exitCode === null)
    return {
      kind: 'run',
      failure: { reason: 'error', message: end.spawnError ?? `ended by ${end.signal}` },
      latencyMs,
    };
  return { kind: 'run', exit: end.exitCode, output: output.slice(0, OBSERVATION_LIMITS.outputChars), latencyMs };
}
