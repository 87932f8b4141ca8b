import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config, TierSettings } from '../config/config.js';
import { inheritedEnv } from '../context/env-context.js';
import { caged } from '../sandbox/cage.js';
import { tierIdentity } from '../kubernetes/identity.js';
import { cageBaseEnv, openCage, type OpenCage } from '../sandbox/open-cage.js';
import type { Redactor } from '../logger/redactor.js';
import { runProcess } from '../runner/process.js';
import type { ProcessEnd } from '../runner/command.js';
import { approvalLogName } from '../store/layout.js';
import { oneLine } from '../stream/story-line.js';
import type { Proposal } from '../store/records.js';
import type { Store } from '../store/store.js';
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

type Options = {
  config: Config;
  redactor: Redactor;
  shutdown: AbortSignal;
  stdout: (text: string) => void;
  runId: string;
  /** Where the story's log goes: the daemon's store. */
  store: Pick<Store, 'openApprovalLog'>;
  /** The time the story and the execution's record tell. */
  now: () => Date;
};

/** Lines of the run's story, each written to its log and the daemon's stdout. */
type Write = (lines: string[]) => void;

/** Where and how the commands run. */
interface Setting {
  write: Write;
  workDir: string;
  env: Record<string, string>;
  cage: OpenCage | undefined;
  /** When the commands' shared time is up, on the monotonic clock (`performance.now()`). */
  deadline: number;
}

/**
 * Runs a proposal's approved commands, exactly as approved, one after another with
 * `sh -c`, stopping at the first that fails, in a cage with what the proposing tier
 * may change and reach (its writable paths and network), never as the daemon itself. They share one deadline
 * (CLAUDEOPS_TIMEOUT) and the tier runs' process-tree control: a stop sends SIGINT,
 * SIGTERM, then SIGKILL to the group, and whatever they left behind is swept.
 * Its story (see story.ts) goes to the store's approval log and, line for line, the daemon's stdout.
 */
export async function executeProposal(p: Proposal, o: Options): Promise<Execution> {
  const story = openStory(o, p.id);
  const started = o.now();
  const exitCodes: (number | null)[] = [];
  const error = await runInCage(p, o, story.write, started, exitCodes);
  const ended = o.now();
  story.end(
    storyFooter({ error, ran: exitCodes.length, of: p.commands.length, ms: ended.getTime() - started.getTime() }),
  );
  return {
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    ok: error === undefined,
    exitCodes,
    log: approvalLogName(p.id),
    ...(error ? { error } : {}),
  };
}

/** The story's log, from the store; `end` writes the last line and closes it. */
function openStory(o: Options, id: string): { write: Write; end: (last: string) => void } {
  const sink = o.store.openApprovalLog(id);
  const write: Write = (lines) => {
    if (!lines.length) return;
    const text = o.redactor.redact(lines.map((l) => `${l}\n`).join(''));
    sink.write(text);
    o.stdout(text);
  };
  const end = (last: string) => {
    try {
      write([last]);
    } finally {
      sink.close();
    }
  };
  return { write, end };
}

/** Opens the cage, runs the commands in it, then closes it and removes their work dir; says why they failed, if they did. */
async function runInCage(
  p: Proposal,
  o: Options,
  write: Write,
  started: Date,
  exitCodes: (number | null)[],
): Promise<string | undefined> {
  const { config } = o;
  const deadline = performance.now() + config.timeoutMs;
  let cage: OpenCage | undefined;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-approval-${p.id.slice(0, 8)}-`));
  try {
    write([
      storyHeader(p, started),
      storyLine(
        'proposal',
        `proposed by tier ${p.tier} in ${p.cycle}, approved by ${p.decidedBy ?? 'unknown'} at ${p.decidedAt ?? '?'}`,
        o.now(),
      ),
    ]);
    const tier = config.tiers[p.tier === 2 ? 2 : 3];
    cage = await cageFor(o, tier, workDir, write);
    const env = commandEnv(config, cage);
    write([storyLine('sandbox', sandboxNote(p, tier, cage), o.now())]);
    return await runCommands(p, o, { write, workDir, env, cage, deadline }, exitCodes);
  } catch (e) {
    return (e as Error).message;
  } finally {
    await cage?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** A cage with the proposing tier's writable paths and network; none with the sandbox off. */
async function cageFor(o: Options, tier: TierSettings, workDir: string, write: Write): Promise<OpenCage | undefined> {
  const { config } = o;
  if (config.sandbox === 'off') return undefined;
  const kubernetes = await tierIdentity(config, tier.tier, true, (t) => write([storyLine('warning', t, o.now())]));
  return openCage({
    config,
    workDir,
    ...(kubernetes ? { kubernetes } : {}),
    policy: {
      readOnly: false,
      network: tier.network,
      writable: tier.writable,
      denyRead: [],
      denyWrite: [],
      mcpAllowed: [],
      mcpDenied: [],
    },
    onEvent: (line) => write([storyLine('egress', line, o.now())]),
  });
}

function commandEnv(config: Config, cage: OpenCage | undefined): Record<string, string> {
  return cage
    ? { ...cageBaseEnv(inheritedEnv()), ...cage.env }
    : { ...inheritedEnv(), ...(config.dockerHost ? { DOCKER_HOST: config.dockerHost } : {}) };
}

function sandboxNote(p: Proposal, tier: TierSettings, cage: OpenCage | undefined): string {
  return cage
    ? `OS sandbox · may write ${['its work dir', ...tier.writable].join(', ')} · network ${tier.network.join(', ') || 'none'} (tier ${p.tier}'s)`
    : 'NONE (CLAUDEOPS_SANDBOX=off)';
}

/** The commands one after another, each exit code kept, until one fails; says why it failed. */
async function runCommands(
  p: Proposal,
  o: Options,
  at: Setting,
  exitCodes: (number | null)[],
): Promise<string | undefined> {
  for (const command of p.commands) {
    at.write([storyLine('run', command, o.now())]);
    const sh = { file: '/bin/sh', args: ['-c', command], cwd: at.workDir, env: at.env, stdin: '' };
    const end = await runProcess(at.cage ? caged(sh, at.cage.spec) : sh, {
      runId: o.runId,
      timeoutMs: Math.max(1, at.deadline - performance.now()),
      shutdown: o.shutdown,
      shutdownGraceMs: o.config.shutdownGraceMs,
      onLines: (buf) => at.write(outputLines('output', buf.toString('utf8'), o.now())),
      onStderr: (line) => at.write(outputLines('stderr', line, o.now())),
    });
    exitCodes.push(end.exitCode);
    for (const line of endLines(end, o.config.timeoutMs, o.now())) at.write([line]);
    if (end.spawnError || end.exitCode !== 0) return failure(end, command);
  }
  return undefined;
}

/** What the story tells of a command's end: how it was stopped, what was swept, how it exited. */
function endLines(end: ProcessEnd, timeoutMs: number, now: Date): string[] {
  const stopped =
    end.stoppedBy === 'timeout' ? `timed out (CLAUDEOPS_TIMEOUT ${timeoutMs / 1000} s)` : 'the daemon is stopping';
  return [
    ...(end.stopSteps.length ? [storyLine('stop', `${stopped}; sent ${end.stopSteps.join(', then ')}`, now)] : []),
    ...(end.swept.length
      ? [storyLine('cleanup', `killed ${end.swept.length} leftover process(es): ${end.swept.join(', ')}`, now)]
      : []),
    storyLine(
      'exit',
      end.spawnError ? `could not start: ${end.spawnError}` : `${end.exitCode ?? end.signal ?? 'unknown'}`,
      now,
    ),
  ];
}

/** Why a command that failed failed. */
const failure = (end: ProcessEnd, command: string): string =>
  end.spawnError ??
  (end.stoppedBy ? `stopped: ${end.stoppedBy}` : `"${oneLine(command, 120)}" exited ${end.exitCode ?? end.signal}`);
