import type { Config, TierNumber } from '../config/config.js';
import { allowance, withheldFrom } from '../cooldown/cooldown.js';
import type { CooldownState } from '../store/records.js';
import type { CheckResult } from '../checks/results.js';
import { TIER_NAMES, type TierRun } from './fold.js';

export interface Escalation {
  escalate: boolean;
  /** Why the chain stops here, when it does. */
  reason?: string;
  /** Unhealthy services held back from the next tier by their cooldown. */
  withheld: { service: string; why: string }[];
  handoff: string;
}

/**
 * Decides whether the run's verdict goes up one tier, and builds what the next tier
 * is told: the findings below it and the services it must leave alone.
 */
export function decideEscalation(
  config: Config,
  runs: TierRun[],
  results: CheckResult[],
  cooldown: CooldownState,
  now = new Date(),
): Escalation {
  const run = runs[runs.length - 1]!;
  const none = (reason: string): Escalation => ({ escalate: false, reason, withheld: [], handoff: '' });
  if (!run.verdict) return none(`tier ${run.tier} ended without a verdict (${run.exitClass})`);
  if (!run.verdict.escalate) return none(`tier ${run.tier} did not ask to escalate`);
  if (run.tier >= config.maxTier) return none(`CLAUDEOPS_MAX_TIER is ${config.maxTier}`);
  const next = (run.tier + 1) as 2 | 3;

  // Every tier's word so far, per check: a service a lower tier found broken stays in scope.
  const unhealthy = [
    ...new Set(results.filter((r) => r.status === 'unhealthy' || r.status === 'degraded').flatMap((r) => r.services)),
  ];
  const withheld = unhealthy.flatMap((service) => {
    const a = allowance(cooldown, service, config.cooldown, now);
    if (!withheldFrom(next, a)) return [];
    const what = next === 3 ? 'no redeployment left' : 'no restart or redeployment left';
    return [
      {
        service,
        why: `${what}: ${a.restarts} restart(s) in the last ${hours(config.cooldown.restartWindowMs)} (limit ${config.cooldown.maxRestarts}), ${a.redeploys} redeployment(s) in the last ${hours(config.cooldown.redeployWindowMs)} (limit ${config.cooldown.maxRedeploys})`,
      },
    ];
  });
  if (unhealthy.length > 0 && withheld.length === unhealthy.length) {
    return {
      escalate: false,
      reason: `every unhealthy service is at its cooldown limit: ${withheld.map((w) => w.service).join(', ')}`,
      withheld,
      handoff: '',
    };
  }
  return { escalate: true, withheld, handoff: handoffText(config, next, runs, withheld, cooldown, now) };
}

function handoffText(
  config: Config,
  next: TierNumber,
  runs: TierRun[],
  withheld: Escalation['withheld'],
  cooldown: CooldownState,
  now: Date,
): string {
  const out = ['## Escalation context', `You are tier ${next} (${TIER_NAMES[next]}). The tiers below you found:`];
  for (const r of runs) {
    const v = r.verdict!;
    out.push('', `### Tier ${r.tier} (${TIER_NAMES[r.tier]}, model ${r.model}): ${v.status}`, `Summary: ${v.summary}`);
    for (const c of v.checks ?? [])
      out.push(
        `- [${c.status}] ${c.id}${c.service ? ` (service ${c.service})` : ''}${c.detail ? `: ${c.detail}` : ''}`,
      );
    if (v.findings) out.push(`Findings: ${v.findings}`);
    for (const m of v.remediations ?? [])
      out.push(`- remediation: ${m.action} ${m.service} → ${m.outcome}${m.detail ? ` (${m.detail})` : ''}`);
  }
  out.push('', '## Cooldown (enforced by the daemon)');
  if (withheld.length) {
    out.push(
      next === 3
        ? 'These services have no redeployment left. Do NOT redeploy them; report them as needing a human:'
        : 'These services are at their remediation limit. Do NOT restart or redeploy them; report them as needing a human:',
    );
    for (const w of withheld) out.push(`- ${w.service}: ${w.why}`);
  } else out.push('No unhealthy service is at its remediation limit.');
  const limited = Object.keys(cooldown.services)
    .filter((s) => !withheld.some((w) => w.service === s))
    .map((s) => [s, allowance(cooldown, s, config.cooldown, now)] as const)
    .filter(([, a]) => a.restarts + a.redeploys > 0);
  for (const [s, a] of limited)
    out.push(`- ${s}: ${a.restartsLeft} restart(s) and ${a.redeploysLeft} redeployment(s) left`);
  if (config.dryRun)
    out.push(
      '',
      'DRY RUN: change nothing. For every action you would take, write "[dry-run] Would: <action>" and report it as a remediation with outcome "dry-run".',
    );
  return out.join('\n');
}

const hours = (ms: number) => `${+(ms / 3_600_000).toFixed(1)} h`;
