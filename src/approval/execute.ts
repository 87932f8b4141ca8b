import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { inheritedEnv } from '../context/env-context.js';
import { caged } from '../sandbox/cage.js';
import { cageBaseEnv, openCage, type OpenCage } from '../sandbox/open-cage.js';
import type { Redactor } from '../logger/redactor.js';
import { runProcess } from '../runner/process.js';
import { approvalLogName } from '../store/layout.js';
import { oneLine } from '../stream/story.js';
import type { Proposal } from './state.js';
import { outputLines, storyFooter, storyHeader, storyLine } from './story.js';

export interface Execution {
  startedAt: string;
  endedAt: string;
  ok: boolean;
  /** Per command run, in order; null for one that was stopped or could not start. */
  exitCodes: (number | null)[];
  /** The log's name in the results directory. */
  log: string;
  error?: string;
}

/**
 * Runs a proposal's approved commands, exactly as approved, one after another with
 * `sh -c`, stopping at the first that fails, in a cage with what the proposing tier
 * may change and reach (its writable paths and network), never as the daemon itself. They share one deadline
 * (CLAUDEOPS_TIMEOUT) and the tier runs' process-tree control: a stop sends SIGINT,
 * SIGTERM, then SIGKILL to the group, and whatever they left behind is swept.
 * Its story (see story.ts) goes to `<results>/approval-<id>.log` and, line for line, the daemon's stdout.
 */
export async function executeProposal(
  p: Proposal,
  o: { config: Config; redactor: Redactor; shutdown: AbortSignal; stdout: (text: string) => void; runId: string },
): Promise<Execution> {
  const { config } = o;
  const log = approvalLogName(p.id);
  fs.mkdirSync(config.resultsDir, { recursive: true });
  const fd = fs.openSync(path.join(config.resultsDir, log), 'a', 0o640);
  const write = (lines: string[]) => {
    if (!lines.length) return;
    const text = o.redactor.redact(lines.map((l) => `${l}\n`).join(''));
    fs.writeSync(fd, text);
    o.stdout(text);
  };
  const started = new Date();
  const deadline = started.getTime() + config.timeoutMs;
  const exitCodes: (number | null)[] = [];
  let error: string | undefined;
  let cage: OpenCage | undefined;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-approval-${p.id.slice(0, 8)}-`));
  try {
    write([
      storyHeader(p, started),
      storyLine(
        'proposal',
        `proposed by tier ${p.tier} in ${p.cycle}, approved by ${p.decidedBy ?? 'unknown'} at ${p.decidedAt ?? '?'}`,
      ),
    ]);
    const tier = config.tiers[p.tier === 2 ? 2 : 3];
    cage =
      config.sandbox === 'off'
        ? undefined
        : await openCage({
            config,
            workDir,
            policy: {
              readOnly: false,
              network: tier.network,
              writable: tier.writable,
              denyRead: [],
              denyWrite: [],
              mcpAllowed: [],
              mcpDenied: [],
            },
            onEvent: (line) => write([storyLine('egress', line)]),
          });
    const env = cage
      ? { ...cageBaseEnv(inheritedEnv()), ...cage.env }
      : { ...inheritedEnv(), ...(config.dockerHost ? { DOCKER_HOST: config.dockerHost } : {}) };
    write([
      storyLine(
        'sandbox',
        cage
          ? `OS sandbox · may write ${['its work dir', ...tier.writable].join(', ')} · network ${tier.network.join(', ') || 'none'} (tier ${p.tier}'s)`
          : 'NONE (CLAUDEOPS_SANDBOX=off)',
      ),
    ]);
    for (const command of p.commands) {
      write([storyLine('run', command)]);
      const sh = { file: '/bin/sh', args: ['-c', command], cwd: workDir, env, stdin: '' };
      const end = await runProcess(cage ? caged(sh, cage.spec) : sh, {
        runId: o.runId,
        timeoutMs: Math.max(1, deadline - Date.now()),
        shutdown: o.shutdown,
        shutdownGraceMs: config.shutdownGraceMs,
        onLines: (buf) => write(outputLines('output', buf.toString('utf8'))),
        onStderr: (line) => write(outputLines('stderr', line)),
      });
      exitCodes.push(end.exitCode);
      if (end.stopSteps.length)
        write([
          storyLine(
            'stop',
            `${end.stoppedBy === 'timeout' ? `timed out (CLAUDEOPS_TIMEOUT ${config.timeoutMs / 1000} s)` : 'the daemon is stopping'}; sent ${end.stopSteps.join(', then ')}`,
          ),
        ]);
      if (end.swept.length)
        write([storyLine('cleanup', `killed ${end.swept.length} leftover process(es): ${end.swept.join(', ')}`)]);
      write([
        storyLine(
          'exit',
          end.spawnError ? `could not start: ${end.spawnError}` : `${end.exitCode ?? end.signal ?? 'unknown'}`,
        ),
      ]);
      if (end.spawnError || end.exitCode !== 0) {
        error =
          end.spawnError ??
          (end.stoppedBy
            ? `stopped: ${end.stoppedBy}`
            : `"${oneLine(command, 120)}" exited ${end.exitCode ?? end.signal}`);
        break;
      }
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await cage?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const ended = new Date();
  const ok = error === undefined;
  try {
    write([
      storyFooter({ error, ran: exitCodes.length, of: p.commands.length, ms: ended.getTime() - started.getTime() }),
    ]);
  } finally {
    fs.closeSync(fd);
  }
  return {
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    ok,
    exitCodes,
    log,
    ...(error ? { error } : {}),
  };
}
