// A provider whose agent is a CLI process: the shared part of running one. The provider
// says how to invoke its CLI, read its output and tell why it ended; this runs it (in
// the daemon's cage when there is one) and turns all of it into the run's events.
import fs from 'node:fs/promises';
import path from 'node:path';
import { caged } from '../sandbox/cage.js';
import { runProcess } from '../runner/process.js';
import type { ProcessEnd } from '../runner/command.js';
import { Channel } from './channel.js';
import { cliEnding, type RunEnd } from './cli-end.js';
import type { ExitClass } from './exit-class.js';
import type { AgentEvent, AgentRun, FinalResult, Invocation } from './provider.js';
import type { ProviderCommand } from './provider-command.js';

/** What the provider's parser makes of a chunk of output: events, or lines that are not events. */
export interface EventParser {
  parse(lines: Buffer): Generator<{ event?: AgentEvent; text?: string }>;
}

/** What a CLI provider knows of its CLI. */
export interface Cli {
  /** For messages: "the Claude Code CLI". */
  cli: string;
  /** The variable that points at its binary. */
  binVariable: string;
  /** Whether the CLI runs the agent's commands in a sandbox of its own, inside the daemon's cage. */
  ownSandbox: boolean;
  /** What to tell an operator about each way a run ends. */
  help: Record<ExitClass, string>;
  command(inv: Invocation): ProviderCommand;
  parser(model: string): EventParser;
  classify(end: RunEnd): ExitClass;
}

/** Runs the CLI for one tier run; the events end with `end`. An error writing its files is thrown to the consumer. */
export function runCli(cli: Cli, run: AgentRun, signal: AbortSignal): AsyncIterable<AgentEvent> {
  const out = new Channel<AgentEvent>();
  drive(cli, run, signal, out).then(
    () => out.close(),
    (e: unknown) => out.fail(e),
  );
  return out;
}

async function drive(cli: Cli, run: AgentRun, signal: AbortSignal, out: Channel<AgentEvent>): Promise<void> {
  const cmd = cli.command(run);
  for (const w of cmd.warnings ?? []) out.push({ kind: 'warning', text: w });
  for (const f of cmd.files ?? []) {
    await fs.mkdir(path.dirname(f.path), { recursive: true });
    await fs.writeFile(f.path, f.content, { mode: 0o644 });
  }
  const seen = new Seen(cli.parser(run.model), run, out);
  const end = await runProcess(run.cage ? caged(cmd, { ...run.cage, nestedSandbox: cli.ownSandbox }) : cmd, {
    runId: run.runId,
    timeoutMs: run.timeoutMs,
    shutdown: signal,
    shutdownGraceMs: run.shutdownGraceMs,
    onLines: (lines) => seen.lines(lines),
    onStderr: (line) => seen.stderr(line),
  });
  if (end.stopSteps.length) out.push({ kind: 'stopped', by: end.stoppedBy ?? 'shutdown', steps: end.stopSteps });
  if (end.swept.length) out.push({ kind: 'cleanup', pids: end.swept });
  out.push(cliEnding(cli, end satisfies ProcessEnd, seen));
}

/** What the run's output said that its ending depends on, while each piece goes on as events. */
class Seen {
  final: FinalResult | undefined;
  lastRetryStatus: number | null | undefined;
  readonly stderrTail: string[] = [];

  constructor(
    private readonly parser: EventParser,
    private readonly run: AgentRun,
    private readonly out: Channel<AgentEvent>,
  ) {}

  lines(cliLines: Buffer): Promise<void> | undefined {
    // Redacted before anything is parsed or cut: a cut can split a secret past recognition.
    const lines = this.run.redactor.redactBytes(cliLines);
    // Copied: the buffer is only valid during this call, and the consumer reads it later.
    this.out.push({ kind: 'record', data: Buffer.from(lines) });
    for (const { event, text } of this.parser.parse(lines)) {
      if (!event) {
        if (text?.trim()) this.out.push({ kind: 'output', text });
        continue;
      }
      if (event.kind === 'final') this.final = event.result;
      else if (event.kind === 'retry') this.lastRetryStatus = event.status;
      this.out.push(event);
    }
    return this.out.drained();
  }

  stderr(line: string): void {
    // Redacted before it is kept: the tail is cut into the failure message.
    const safe = this.run.redactor.redact(line);
    this.stderrTail.push(safe);
    if (this.stderrTail.length > 20) this.stderrTail.shift();
    this.out.push({ kind: 'stderr', text: safe });
  }
}
