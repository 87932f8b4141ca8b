// A tier run's story in its log: the header, a line or more per event, the footer.
import type { Config } from '../config/config.js';
import type { AgentEvent } from '../provider/provider.js';
import { Story } from './story.js';
import { clock, oneLine } from '../stream/story-line.js';
import { TIER_NAMES, type TierRun } from './fold.js';
import type { TierPlan } from './plan.js';

export function header(plan: TierPlan, config: Config, started: Date): string[] {
  const { tier, shard, policy } = plan;
  return [
    `=== claudeops tier ${tier} (${TIER_NAMES[tier]})${shard ? ` · shard ${shard.index} of ${shard.of}: ${shard.checks.length} check(s)` : ''} · ${started.toISOString()} ===`,
    `model ${plan.model} · dry-run ${config.dryRun}${policy.propose ? ' · propose mode (changes wait for a human)' : ''} · prompt ${config.tiers[tier].promptFile}`,
    `tools ${policy.tools.join(', ') || 'none'} · MCP allowed ${policy.mcpAllowed.join(', ') || 'none'}${policy.mcpDenied.length ? ` · MCP denied ${policy.mcpDenied.join(', ')}` : ''}`,
    containmentLine(plan),
    `context ${plan.context.line}`,
    ...plan.containment.warnings.map((w) => `warning  ${w}`),
  ];
}

/** The story of one event; `stopped` says why with the daemon's timeout and the shutdown's reason. */
export function eventLines(
  story: Story,
  event: AgentEvent,
  config: Config,
  shutdown: AbortSignal,
  now = new Date(),
): string[] {
  switch (event.kind) {
    case 'output':
      return [`${clock(now)} output   ${oneLine(event.text, 200)}`];
    case 'stderr':
      return [`${clock(now)} stderr   ${oneLine(event.text, 300)}`];
    case 'warning':
      return [`warning  ${event.text}`];
    case 'stopped': {
      const why =
        event.by === 'timeout'
          ? `timed out after ${config.timeoutMs / 1000} s (CLAUDEOPS_TIMEOUT)`
          : `interrupted: ${shutdown.reason === 'operator' ? 'an operator stopped the cycle from the console' : 'the daemon is shutting down'}`;
      return [`${clock(now)} stop     ${why}; sent ${event.steps.join(', then ')}`];
    }
    case 'cleanup':
      return [
        `${clock(now)} cleanup  killed ${event.pids.length} leftover process(es) of this run: ${event.pids.join(', ')}`,
      ];
    case 'record':
    case 'end':
      return [];
    default:
      return story.lines(event, now);
  }
}

export function footer(run: TierRun): string[] {
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

function containmentLine({ policy, containment }: TierPlan): string {
  const writes = policy.readOnly ? 'nothing' : ['its work dir', ...policy.writable].join(', ');
  return `containment ${containment.sandboxed ? 'OS sandbox' : 'NO sandbox'} · ${policy.readOnly ? 'read-only' : 'read-write'} · may write ${writes} · network ${policy.network.join(', ') || 'none'} · ${policy.deniedCommands.length} command prefixes denied`;
}
