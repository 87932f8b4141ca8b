import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { promptVariable, type Config, type TierNumber } from '../config/config.js';
import { cliEnvironment, envContext } from '../context/env-context.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import { buildClaudeCommand } from '../provider/claude-command.js';
import { runProcess } from '../runner/process.js';
import { RunLog } from '../runlog/run-log.js';
import { classify, EXIT_CLASS_HELP, type ExitClass } from '../stream/classify.js';
import { eventsIn, isResult, type ModelUsage, type ResultEvent } from '../stream/events.js';
import { clock, oneLine, Story } from '../stream/story.js';
import { parseVerdict, verdictJsonSchema, type Verdict } from '../verdict/verdict.js';
import { tierPolicy } from './policy.js';

export const TIER_NAMES: Record<TierNumber, string> = { 1: 'observe', 2: 'investigate', 3: 'remediate' };

export interface TierRun {
  tier: TierNumber;
  model: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  exitClass: ExitClass;
  exitCode: number | null;
  /** What went wrong, in words, when exitClass is not "ok". */
  error?: string;
  verdict?: Verdict;
  /** The verdict's summary, or what went wrong. */
  summary: string;
  turns?: number;
  costUsd: number;
  modelUsage: Record<string, ModelUsage>;
  toolsUsed: Record<string, number>;
  permissionDenials: string[];
  apiRetries: number;
  logFile: string;
  eventsFile: string;
  /** Whether the run's files were written completely. */
  filesComplete: boolean;
}

export interface TierRunInput {
  config: Config;
  tier: TierNumber;
  /** `run-<stamp>` shared by every file of the cycle. */
  stampBase: string;
  runId: string;
  mcpConfigFile: string;
  mcpServers: string[];
  /** Text handed up from the tier below; empty for tier 1. */
  handoff: string;
  logger: Logger;
  redactor: Redactor;
  stdout: (text: string) => void;
  shutdown: AbortSignal;
}

/** One tier: one `claude --print` process with its own model, prompt and hard tool set. */
export async function runTier(input: TierRunInput): Promise<TierRun> {
  const { config, tier, logger } = input;
  const settings = config.tiers[tier];
  const started = new Date();
  const log = new RunLog(config.resultsDir, `${input.stampBase}-tier${tier}`, `[tier${tier}] `, input.redactor, logger, input.stdout).open();
  const policy = tierPolicy(config, tier, input.mcpServers);
  const ctx = envContext(config, tier);
  const story = new Story();
  const tools: Record<string, number> = {};
  let result: ResultEvent | undefined;
  let retries = 0;
  let lastRetryStatus: number | null | undefined;
  const stderrTail: string[] = [];

  log.story([
    `=== claudeops tier ${tier} (${TIER_NAMES[tier]}) · ${started.toISOString()} ===`,
    `model ${settings.model} · dry-run ${config.dryRun} · prompt ${settings.promptFile}`,
    `tools ${policy.tools.join(', ') || 'none'} · MCP ${policy.allowed.filter((a) => a.startsWith('mcp__')).join(', ') || 'none'}`,
    `deny ${policy.deny.length} rules · may write to ${[config.appDir, ...policy.addDirs].join(', ')}`,
    `context ${ctx.line}`,
  ]);

  const finish = async (exitClass: ExitClass, exitCode: number | null, error?: string, verdict?: Verdict): Promise<TierRun> => {
    const ended = new Date();
    const run: TierRun = {
      tier,
      model: settings.model,
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      durationMs: ended.getTime() - started.getTime(),
      exitClass,
      exitCode,
      error,
      verdict,
      summary: verdict?.summary ?? error ?? '',
      turns: result?.num_turns,
      costUsd: result?.total_cost_usd ?? 0,
      modelUsage: result?.modelUsage ?? {},
      toolsUsed: tools,
      permissionDenials: (result?.permission_denials ?? []).map((d) => `${d.tool_name}${describeDenied(d.tool_input)}`),
      apiRetries: retries,
      logFile: log.logName,
      eventsFile: log.jsonlName,
      filesComplete: false,
    };
    log.story(footer(run));
    await log.close();
    run.filesComplete = log.complete;
    return run;
  };

  let prompt: string;
  try {
    prompt = await fs.readFile(settings.promptFile, 'utf8');
  } catch (e) {
    const msg = `prompt file ${settings.promptFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): restore it or point ${promptVariable(tier)} at an existing file`;
    return finish('config', null, msg);
  }

  const cmd = buildClaudeCommand({
    bin: config.claudeBin,
    model: settings.model,
    tools: policy.tools,
    allowed: policy.allowed,
    deny: policy.deny,
    mcpConfigFile: input.mcpConfigFile,
    appendSystemPrompt: [`Environment: ${ctx.line}`, input.handoff].filter(Boolean).join('\n\n'),
    jsonSchema: verdictJsonSchema,
    // the CLI refuses a directory that is not there, and the results directory may be broken (the run goes on without it)
    addDirs: policy.addDirs.filter(isDirectory),
    maxBudgetUsd: config.budget.perRunUsd,
    cwd: config.appDir,
    prompt,
    env: cliEnvironment(config, ctx),
  });

  const end = await runProcess(cmd, {
    runId: input.runId,
    timeoutMs: config.timeoutMs,
    shutdown: input.shutdown,
    shutdownGraceMs: config.shutdownGraceMs,
    onLines: (lines) => {
      const wait = log.raw(lines);
      const storyLines: string[] = [];
      for (const { event, text } of eventsIn(lines)) {
        if (!event) {
          if (text?.trim()) storyLines.push(`${clock()} output   ${oneLine(text, 200)}`);
          continue;
        }
        if (isResult(event)) result = event;
        else if (event.type === 'system' && (event as { subtype?: string }).subtype === 'api_retry') {
          retries++;
          lastRetryStatus = (event as { error_status?: number | null }).error_status;
        } else if (event.type === 'assistant') countTools(event as { message?: { content?: { type: string; name?: string }[] } }, tools);
        storyLines.push(...story.lines(event));
      }
      log.story(storyLines);
      return wait;
    },
    onStderr: (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      log.story([`${clock()} stderr   ${oneLine(line, 300)}`]);
    },
  });

  if (end.stopSteps.length) {
    const why = end.stoppedBy === 'timeout' ? `timed out after ${config.timeoutMs / 1000} s (CLAUDEOPS_TIMEOUT)` : 'interrupted: the daemon is shutting down';
    log.story([`${clock()} stop     ${why}; sent ${end.stopSteps.join(', then ')}`]);
  }
  if (end.swept.length) {
    log.story([`${clock()} cleanup  killed ${end.swept.length} leftover process(es) of this run: ${end.swept.join(', ')}`]);
  }
  if (end.spawnError) {
    return finish('cli_missing', null, `${end.spawnError}: install the Claude Code CLI or set CLAUDEOPS_CLAUDE_BIN to its path`);
  }

  const parsed = result?.structured_output !== undefined ? parseVerdict(result.structured_output) : undefined;
  const exitClass = classify({ result, lastRetryStatus, stoppedBy: end.stoppedBy, exitCode: end.exitCode, hasVerdict: parsed?.verdict !== undefined });
  if (exitClass === 'ok') return finish(exitClass, end.exitCode, undefined, parsed?.verdict);
  return finish(exitClass, end.exitCode, describeFailure(exitClass, result, parsed?.error, stderrTail, end.exitCode));
}

function describeFailure(cls: ExitClass, result: ResultEvent | undefined, verdictError: string | undefined, stderr: string[], code: number | null): string {
  const detail =
    result?.result ?? result?.errors?.join('; ') ?? verdictError ?? (stderr.length ? stderr.slice(-3).join(' | ') : `exit code ${code ?? 'none'}`);
  return `${EXIT_CLASS_HELP[cls]} (${oneLine(detail, 300)})`;
}

function footer(run: TierRun): string[] {
  const t = run.endedAt.slice(11, 19);
  const v = run.verdict;
  const lines = v
    ? [`${t} VERDICT  ${v.status.toUpperCase()}: ${v.summary}${v.escalate ? ' (asks to escalate)' : ''}`]
    : [`${t} FAILED   ${run.exitClass}: ${run.error ?? ''}`];
  lines.push(
    `--- end · ${run.exitClass} · cost $${run.costUsd.toFixed(4)} · ${run.turns ?? 0} turns · ${(run.durationMs / 1000).toFixed(1)} s · exit ${run.exitCode ?? 'none'}` +
      (run.permissionDenials.length ? ` · ${run.permissionDenials.length} permission denial(s)` : ''),
  );
  return lines;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function countTools(event: { message?: { content?: { type: string; name?: string }[] } }, into: Record<string, number>): void {
  for (const b of event.message?.content ?? []) {
    if (b.type === 'tool_use' && b.name && b.name !== 'StructuredOutput') into[b.name] = (into[b.name] ?? 0) + 1;
  }
}

function describeDenied(input: unknown): string {
  const cmd = (input as { command?: unknown })?.command;
  return typeof cmd === 'string' ? `(${oneLine(cmd, 120)})` : '';
}
