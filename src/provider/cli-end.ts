import type { ProcessEnd } from '../runner/command.js';
import { oneLine } from '../stream/story-line.js';
import { parseVerdict } from '../verdict/verdict.js';
import type { ExitClass } from './exit-class.js';
import type { AgentEvent, FinalResult } from './provider.js';

/** How a CLI run ended, as its provider classifies it. */
export interface RunEnd {
  final?: FinalResult;
  /** The HTTP status of the last retried API error, if any. */
  lastRetryStatus?: number | null;
  stoppedBy?: 'timeout' | 'shutdown';
  exitCode: number | null;
  hasVerdict: boolean;
}

interface CliTerms {
  cli: string;
  binVariable: string;
  help: Record<ExitClass, string>;
  classify(end: RunEnd): ExitClass;
}

interface Output {
  final: FinalResult | undefined;
  lastRetryStatus: number | null | undefined;
  stderrTail: string[];
}

/** A CLI run's `end` event: its class, and when it failed, what to do about it and what it said. */
export function cliEnding(cli: CliTerms, end: ProcessEnd, seen: Output): Extract<AgentEvent, { kind: 'end' }> {
  if (end.spawnError) {
    if (/command not found|ENOENT|EACCES/.test(end.spawnError))
      return ended('cli_missing', `${end.spawnError}: install ${cli.cli} or set ${cli.binVariable} to its path`);
    return ended('cli_error', `the ${cli.cli} process could not start (${end.spawnError})`);
  }
  const { final } = seen;
  const parsed = final?.verdict !== undefined ? parseVerdict(final.verdict) : undefined;
  const exitClass = cli.classify({
    final,
    lastRetryStatus: seen.lastRetryStatus,
    stoppedBy: end.stoppedBy,
    exitCode: end.exitCode,
    hasVerdict: parsed?.verdict !== undefined,
  });
  if (exitClass === 'ok') return { kind: 'end', exitClass, exitCode: end.exitCode, verdict: parsed?.verdict };
  const stderr = seen.stderrTail;
  const detail =
    final?.text ||
    parsed?.error ||
    (stderr.length ? stderr.slice(-3).join(' | ') : `exit code ${end.exitCode ?? 'none'}`);
  return {
    kind: 'end',
    exitClass,
    exitCode: end.exitCode,
    error: `${cli.help[exitClass]} (${oneLine(detail, 300)})`,
  };
}

const ended = (exitClass: ExitClass, error: string): Extract<AgentEvent, { kind: 'end' }> => ({
  kind: 'end',
  exitClass,
  exitCode: null,
  error,
});
