import fs from 'node:fs/promises';
import { shardRunBase, tierRunBase } from '../store/layout.js';
import path from 'node:path';
import { promptVariable, type Config, type TierNumber } from '../config/config.js';
import { cliEnvironment, envContext, SECRET_ENV } from '../context/env-context.js';
import type { McpCatalog, ServerEntry } from '../mcp/catalog.js';
import { caged } from '../sandbox/cage.js';
import { sandboxDecision, type SandboxDecision, type SandboxProbe } from '../sandbox/probe.js';
import { cageBaseEnv, openCage, type OpenCage } from '../sandbox/open-cage.js';
import { installSkills, makeWorkDir, removeWorkDir } from '../sandbox/workdir.js';
import { runnable } from '../files/executable.js';
import type { CheckDef, CheckSet } from '../checks/discover.js';
import { checksPrompt, manifestPrompt } from '../checks/prompt.js';
import { proposePrompt, type Waiting } from '../approval/prompt.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import { providerFor } from '../provider/registry.js';
import type { FinalResult } from '../provider/provider.js';
import { runProcess, type Command, type ProcessEnd } from '../runner/process.js';
import { RunLog } from '../runlog/run-log.js';
import { EXIT_CLASS_HELP, type ExitClass } from '../provider/exit-class.js';
import { clock, oneLine, Story } from '../stream/story.js';
import { parseVerdict, verdictJsonSchema, type Verdict } from '../verdict/verdict.js';
import { tierPolicy, type RepoRules, type TierPolicy } from './policy.js';
import { emptyTally, step, toTierRun, TIER_NAMES, type TierRun } from './fold.js';

export { TIER_NAMES, type Containment, type TierRun } from './fold.js';

export interface Shard {
  /** From 1. */
  index: number;
  of: number;
  checks: CheckDef[];
}

export interface TierRunInput {
  config: Config;
  tier: TierNumber;
  /** `run-<stamp>` shared by every file of the cycle. */
  stampBase: string;
  runId: string;
  mcp: { file: string; servers: string[]; entries: Record<string, ServerEntry>; catalog: McpCatalog };
  /** The checks, playbooks, skills and repo rules the daemon found for this cycle. */
  checks: CheckSet;
  sandbox: SandboxProbe;
  /** Text handed up from the tier below; empty for tier 1. */
  handoff: string;
  /** Proposals already waiting for a human, named in a propose-mode tier's prompt so it does not repeat them. */
  pending?: readonly Waiting[];
  /** One of several tier-1 sessions: only these checks are handed to it. */
  shard?: Shard;
  logger: Logger;
  redactor: Redactor;
  stdout: (text: string) => void;
  shutdown: AbortSignal;
  /** Spend already counted today, so the API proxy can hold the daily budget within the run. */
  spentTodayUsd?: number;
}

/** One tier: one `claude --print` process with its own model, prompt and hard tool set. */
export async function runTier(input: TierRunInput): Promise<TierRun> {
  const { config, tier, logger } = input;
  const settings = config.tiers[tier];
  const started = new Date();
  const shard = input.shard;
  const log = new RunLog(
    config.resultsDir,
    shard ? shardRunBase(input.stampBase, tier, shard.index) : tierRunBase(input.stampBase, tier),
    shard ? `[tier${tier}.${shard.index}] ` : `[tier${tier}] `,
    input.redactor,
    logger,
    input.stdout,
  ).open();
  const policy = tierPolicy(config, tier, input.mcp.servers, input.mcp.catalog, repoRules(input.checks, tier));
  const { provider, bin } = providerFor(config, tier);
  const decision: SandboxDecision = sandboxDecision(config.sandbox, policy.readOnly, input.sandbox);
  const ctx = envContext(config, tier, policy.readOnly);
  const story = new Story();
  let egressRefused = 0;
  const warnings = [
    ...policy.warnings,
    ...(decision.warning ? [decision.warning] : []),
    ...provider.modelWarnings(settings.model),
  ];
  const tally = emptyTally();
  const parser = provider.parser(settings.model);
  let result: FinalResult | undefined;
  let lastRetryStatus: number | null | undefined;
  const stderrTail: string[] = [];

  log.story([
    `=== claudeops tier ${tier} (${TIER_NAMES[tier]})${shard ? ` · shard ${shard.index} of ${shard.of}: ${shard.checks.length} check(s)` : ''} · ${started.toISOString()} ===`,
    `model ${settings.model} · dry-run ${config.dryRun}${policy.propose ? ' · propose mode (changes wait for a human)' : ''} · prompt ${settings.promptFile}`,
    `tools ${policy.tools.join(', ') || 'none'} · MCP allowed ${policy.mcpAllowed.join(', ') || 'none'}${policy.mcpDenied.length ? ` · MCP denied ${policy.mcpDenied.join(', ')}` : ''}`,
    containmentLine(policy, decision.sandboxed),
    `context ${ctx.line}`,
    ...warnings.map((w) => `warning  ${w}`),
  ]);
  for (const w of warnings) logger.warn({ tier }, w);

  const finish = async (
    exitClass: ExitClass,
    exitCode: number | null,
    error?: string,
    verdict?: Verdict,
  ): Promise<TierRun> => {
    step(tally, { kind: 'end', exitClass, exitCode, error, verdict });
    if (result) step(tally, { kind: 'final', result });
    const run = toTierRun(tally, {
      tier,
      model: settings.model,
      startedAt: started.toISOString(),
      endedAt: new Date().toISOString(),
      containment: {
        sandboxed: decision.sandboxed,
        readOnly: policy.readOnly,
        propose: policy.propose,
        writable: policy.writable,
        network: policy.network,
        mcpAllowed: policy.mcpAllowed,
        mcpDenied: policy.mcpDenied,
        egressRefused,
        warnings,
      },
      logFile: log.logName,
      eventsFile: log.jsonlName,
    });
    log.story(footer(run));
    await log.close();
    run.filesComplete = log.complete;
    return run;
  };

  const runCommand = (cmd: Command) =>
    runProcess(cmd, {
      runId: input.runId,
      timeoutMs: config.timeoutMs,
      shutdown: input.shutdown,
      shutdownGraceMs: config.shutdownGraceMs,
      onLines: (cliLines) => {
        // Redacted before anything is parsed or cut: a cut can split a secret past recognition.
        const lines = input.redactor.redactBytes(cliLines);
        const wait = log.raw(lines);
        const storyLines: string[] = [];
        for (const { event, text } of parser.parse(lines)) {
          if (!event) {
            if (text?.trim()) storyLines.push(`${clock()} output   ${oneLine(text, 200)}`);
            continue;
          }
          if (event.kind === 'final') result = event.result;
          else if (event.kind === 'retry') lastRetryStatus = event.status;
          else step(tally, event);
          storyLines.push(...story.lines(event));
        }
        log.story(storyLines);
        return wait;
      },
      onStderr: (line) => {
        // Redacted before it is kept: the tail is cut into the failure message.
        const safe = input.redactor.redact(line);
        stderrTail.push(safe);
        if (stderrTail.length > 20) stderrTail.shift();
        log.story([`${clock()} stderr   ${oneLine(safe, 300)}`]);
      },
    });

  let prompt: string;
  let systemPrompt: string | undefined;
  const handedOut = shard ? { ...input.checks, checks: shard.checks } : input.checks;
  try {
    prompt = `${(await fs.readFile(settings.promptFile, 'utf8')).trimEnd()}\n\n${checksPrompt(handedOut, tier)}\n`;
  } catch (e) {
    const msg = `prompt file ${settings.promptFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): restore it or point ${promptVariable(tier)} at an existing file`;
    return finish('config', null, msg);
  }
  if (config.systemPromptFile) {
    try {
      systemPrompt = (await fs.readFile(config.systemPromptFile, 'utf8')).trim();
    } catch (e) {
      return finish(
        'config',
        null,
        `system prompt file ${config.systemPromptFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): restore it or set CLAUDEOPS_SYSTEM_PROMPT=default`,
      );
    }
  }

  if (decision.refuse) return finish('sandbox', null, decision.refuse);
  const caging = decision.sandboxed;
  // Inside the cage a missing binary would be the cage's own error; say what it is before starting one.
  if (caging && !runnable(bin, process.env.PATH))
    return finish(
      'cli_missing',
      null,
      `${bin}: command not found: install ${provider.cli} or set ${provider.binVariable} to its path`,
    );

  const workDir = await makeWorkDir(input.runId, config.appDir);
  for (const p of await installSkills(
    workDir,
    input.checks.skills.filter((s) => s.tier <= tier),
  )) {
    warnings.push(p);
    log.story([`warning  ${p}`]);
  }
  const onEgress = (line: string, refused: boolean) => {
    if (refused) egressRefused++;
    log.story([`${clock()} egress   ${line}`]);
  };
  let end: ProcessEnd;
  let cage: OpenCage | undefined;
  const omitted = new Set(policy.mcpOmitted ?? []);
  const runEntries = Object.fromEntries(Object.entries(input.mcp.entries).filter(([name]) => !omitted.has(name)));
  try {
    cage = caging
      ? await openCage({
          config,
          policy,
          workDir,
          bin,
          api: (origin) => provider.api?.(config.env, origin),
          spentTodayUsd: input.spentTodayUsd ?? 0,
          mcpEntries: runEntries,
          onEvent: onEgress,
        })
      : undefined;
    const filesDir = cage?.filesDir ?? {
      host: path.join(workDir, '.claudeops'),
      inner: path.join(workDir, '.claudeops'),
    };
    const base = cliEnvironment(
      config,
      ctx,
      {
        TMPDIR: path.join(workDir, 'tmp'),
        ...(!cage && !policy.readOnly && config.dockerHost ? { DOCKER_HOST: config.dockerHost } : {}),
      },
      process.env,
      cage ? provider.apiEnv.filter((k) => !SECRET_ENV.includes(k)) : provider.apiEnv,
    );
    const cmd = provider.command({
      bin,
      model: settings.model,
      policy,
      mcpServers: cage?.mcpEntries ?? runEntries,
      filesDir,
      systemPrompt,
      appendSystemPrompt: [
        `Environment: ${ctx.line}`,
        manifestPrompt(input.checks),
        input.handoff,
        proposePrompt(config, tier, input.pending),
      ]
        .filter(Boolean)
        .join('\n\n'),
      jsonSchema: verdictJsonSchema,
      maxBudgetUsd: config.budget.perRunUsd,
      cwd: workDir,
      prompt,
      env: cage ? { ...cageBaseEnv(base), ...cage.env } : base,
    });
    for (const w of cmd.warnings ?? []) {
      warnings.push(w);
      log.story([`warning  ${w}`]);
      logger.warn({ tier }, w);
    }
    for (const f of cmd.files ?? []) {
      await fs.mkdir(path.dirname(f.path), { recursive: true });
      await fs.writeFile(f.path, f.content, { mode: 0o644 });
    }
    end = await runCommand(cage ? caged(cmd, { ...cage.spec, nestedSandbox: provider.ownSandbox }) : cmd);
  } finally {
    await cage?.close();
    await removeWorkDir(workDir);
  }

  if (end.stopSteps.length) {
    const why =
      end.stoppedBy === 'timeout'
        ? `timed out after ${config.timeoutMs / 1000} s (CLAUDEOPS_TIMEOUT)`
        : `interrupted: ${input.shutdown.reason === 'operator' ? 'an operator stopped the cycle from the console' : 'the daemon is shutting down'}`;
    log.story([`${clock()} stop     ${why}; sent ${end.stopSteps.join(', then ')}`]);
  }
  if (end.swept.length) {
    log.story([
      `${clock()} cleanup  killed ${end.swept.length} leftover process(es) of this run: ${end.swept.join(', ')}`,
    ]);
  }
  if (end.spawnError) {
    if (/command not found|ENOENT|EACCES/.test(end.spawnError))
      return finish(
        'cli_missing',
        null,
        `${end.spawnError}: install ${provider.cli} or set ${provider.binVariable} to its path`,
      );
    return finish('cli_error', null, `the ${provider.cli} process could not start (${end.spawnError})`);
  }

  const parsed = result?.verdict !== undefined ? parseVerdict(result.verdict) : undefined;
  const exitClass = provider.classify({
    final: result,
    lastRetryStatus,
    stoppedBy: end.stoppedBy,
    exitCode: end.exitCode,
    hasVerdict: parsed?.verdict !== undefined,
  });
  if (exitClass === 'ok') return finish(exitClass, end.exitCode, undefined, parsed?.verdict);
  return finish(exitClass, end.exitCode, describeFailure(exitClass, result, parsed?.error, stderrTail, end.exitCode));
}

function describeFailure(
  cls: ExitClass,
  result: FinalResult | undefined,
  verdictError: string | undefined,
  stderr: string[],
  code: number | null,
): string {
  const detail =
    result?.text || verdictError || (stderr.length ? stderr.slice(-3).join(' | ') : `exit code ${code ?? 'none'}`);
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

function containmentLine(policy: TierPolicy, sandboxed: boolean): string {
  const writes = policy.readOnly ? 'nothing' : ['its work dir', ...policy.writable].join(', ');
  return `containment ${sandboxed ? 'OS sandbox' : 'NO sandbox'} · ${policy.readOnly ? 'read-only' : 'read-write'} · may write ${writes} · network ${policy.network.join(', ') || 'none'} · ${policy.deniedCommands.length} command prefixes denied`;
}

/** What the repos' manifests and playbook tiers ask of this tier's run. */
function repoRules(set: CheckSet, tier: TierNumber): RepoRules {
  return {
    readOnlyPaths: set.manifests.filter((m) => m.readOnly).map((m) => set.repoDirs[m.repo]!),
    hiddenPaths: [
      ...set.playbooks.filter((p) => p.tier > tier).map((p) => p.file),
      ...set.skills.filter((s) => s.tier > tier).map((s) => s.source),
    ],
    skills: set.skills.some((s) => s.tier <= tier),
  };
}
