import type { CheckDef } from '../checks/check-set.js';
import type { Verdict } from '../verdict/verdict.js';
import type { ModelUsage } from '../provider/provider.js';
import type { ShardRecord, TierRun } from './fold.js';

export type { ShardRecord } from './fold.js';

// Tier 1 over many checks: one session's context grows with every check it works
// through, and its turns add up. Split into shards, the sessions are short and run at
// once; their verdicts merge into one, so escalation and records see a single tier 1.

/**
 * Splits the checks into as few shards as `maxPerShard` allows, of near-equal size,
 * in repo, service and id order, so a repo's (or a service's) checks stay together.
 */
export function planShards(checks: CheckDef[], maxPerShard: number): CheckDef[][] {
  if (checks.length <= maxPerShard) return [checks];
  const sorted = [...checks].sort(
    (a, b) => cmp(a.repo, b.repo) || cmp(a.services[0] ?? '', b.services[0] ?? '') || cmp(a.id, b.id),
  );
  const count = Math.ceil(sorted.length / maxPerShard);
  const shards: CheckDef[][] = [];
  for (let i = 0, from = 0; i < count; i++) {
    const to = Math.round(((i + 1) * sorted.length) / count);
    shards.push(sorted.slice(from, to));
    from = to;
  }
  return shards;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One tier-1 run from its shards' runs. Each shard's verdict counts for its own checks
 * only; a shard that reached no verdict makes its checks `unknown`, with why. The
 * merged verdict is unhealthy, and escalates, when any shard's is or does, and its
 * findings are the unhealthy shards' findings, so the next tier gets one handoff.
 * A tier 1 with a stopped shard was stopped: it has no verdict, whatever the others
 * found, so that the stopped cycle judges nothing.
 */
export function mergeShards(
  runs: TierRun[],
  shards: CheckDef[][],
  logFile: string,
): TierRun & { shards: ShardRecord[] } {
  const stopped = runs.filter((r) => r.exitClass === 'interrupted');
  const verdict = stopped.length ? undefined : mergedVerdict(runs, shards);
  const lead = stopped[0] ?? runs[0]!;
  return {
    ...combined(runs, shards, logFile),
    exitClass: verdict ? 'ok' : lead.exitClass,
    exitCode: verdict ? 0 : lead.exitCode,
    error: runs.some((r) => !r.verdict) ? shardErrors(runs) : undefined,
    verdict,
    summary:
      verdict?.summary ??
      (stopped.length
        ? `tier 1 was stopped before every shard reached its verdict (${stopped.length} of ${runs.length} stopped); a stopped tier judges nothing`
        : (runs[0]!.error ?? '')),
  };
}

/**
 * A sharded tier 1 whose shard's run threw (`fault`, by its place): the shards that
 * ended (the others stopped), their spend and files, and no verdict; undefined when
 * none ended. The cycle that records it failed.
 */
export function faultedShards(
  runs: (TierRun | undefined)[],
  shards: CheckDef[][],
  logFile: string,
  fault: { index: number; why: string },
): (TierRun & { shards: ShardRecord[] }) | undefined {
  if (!runs.some((r) => r)) return undefined;
  const error = shardErrors(runs, fault);
  return {
    ...combined(runs, shards, logFile),
    exitClass: 'interrupted',
    exitCode: null,
    error,
    verdict: undefined,
    summary: error,
  };
}

/** What the shards that ran add up to, as one run under the tier's log: all but how it ended. */
function combined(
  runs: (TierRun | undefined)[],
  shards: CheckDef[][],
  logFile: string,
): Omit<TierRun, 'exitClass' | 'exitCode' | 'error' | 'verdict' | 'summary'> & { shards: ShardRecord[] } {
  const ended = runs.filter((r): r is TierRun => r !== undefined);
  return {
    ...ended[0]!,
    ...spanOf(ended),
    ...totals(ended),
    logFile,
    // Each shard has its own events; the tier's log indexes them.
    eventsFile: '',
    filesComplete: ended.every((r) => r.filesComplete),
    shards: runs.flatMap((r, i) => (r ? [shardRecord(r, i, shards)] : [])),
  };
}

/** What went wrong with each shard listed (one without a run did not start, or threw: `fault`). */
function shardErrors(runs: (TierRun | undefined)[], fault?: { index: number; why: string }): string {
  return runs
    .flatMap((r, i) => {
      if (i === fault?.index) return [`shard ${i + 1}: failed inside the daemon: ${fault.why}`];
      if (!r) return fault ? [`shard ${i + 1}: not started`] : [];
      return r.verdict ? [] : [`shard ${i + 1}: ${r.error ?? r.exitClass}`];
    })
    .join('; ');
}

function shardRecord(r: TierRun, i: number, shards: CheckDef[][]): ShardRecord {
  return {
    index: i + 1,
    checks: shards[i]!.map((c) => c.id),
    exitClass: r.exitClass,
    status: r.verdict?.status,
    summary: r.summary,
    costUsd: r.costUsd,
    durationMs: r.durationMs,
    logFile: r.logFile,
    eventsFile: r.eventsFile,
  };
}

/** One verdict from the shards that reached one; none when no shard did. */
function mergedVerdict(runs: TierRun[], shards: CheckDef[][]): Verdict | undefined {
  const judged = runs.filter((r) => r.verdict);
  if (!judged.length) return undefined;
  const troubled = judged.filter((r) => r.verdict!.status === 'unhealthy' || r.verdict!.escalate);
  return {
    status: troubled.some((r) => r.verdict!.status === 'unhealthy') ? 'unhealthy' : 'healthy',
    summary: mergedSummary(runs, troubled),
    escalate: judged.some((r) => r.verdict!.escalate),
    checks: mergedChecks(runs, shards),
    remediations: judged.flatMap((r) => r.verdict!.remediations ?? []),
    ...findings(runs, shards, troubled),
  };
}

/** The troubled shards' summaries, or that the shards found their checks healthy; and how many gave a verdict. */
function mergedSummary(runs: TierRun[], troubled: TierRun[]): string {
  const judged = runs.filter((r) => r.verdict).length;
  const unjudged = runs.flatMap((r, i) => (r.verdict ? [] : [{ shard: i + 1, exitClass: r.exitClass }]));
  const noVerdict =
    unjudged.length === 1
      ? `shard ${unjudged[0]!.shard} reached no verdict (${unjudged[0]!.exitClass})`
      : `${unjudged.map((u) => `shard ${u.shard} (${u.exitClass})`).join(', ')} reached no verdict`;
  if (troubled.length) {
    const said = troubled.map((r) => r.verdict!.summary).join(' ');
    return unjudged.length ? `${said} ${judged} of ${runs.length} tier-1 shards gave a verdict; ${noVerdict}.` : said;
  }
  return unjudged.length
    ? `${judged} of ${runs.length} tier-1 shards found their checks healthy; ${noVerdict}.`
    : `All ${runs.length} tier-1 shards found their checks healthy.`;
}

/** Each shard's verdict on its own checks; a shard without a verdict leaves its checks unknown. */
function mergedChecks(runs: TierRun[], shards: CheckDef[][]): NonNullable<Verdict['checks']> {
  const owner: Record<string, number> = Object.create(null);
  shards.forEach((s, i) => s.forEach((c) => (owner[c.id] = i)));
  const checks: NonNullable<Verdict['checks']> = [];
  runs.forEach((r, i) => {
    if (!r.verdict) {
      for (const c of shards[i]!)
        checks.push({
          id: c.id,
          status: 'unknown',
          detail: `not judged: tier-1 shard ${i + 1} of ${runs.length} ended ${r.exitClass}${r.error ? ` (${r.error.slice(0, 160)})` : ''}`,
        });
      return;
    }
    for (const c of r.verdict.checks ?? []) if (owner[c.id] === undefined || owner[c.id] === i) checks.push(c);
  });
  return checks;
}

/** The troubled shards' findings, each under its shard's name: one handoff for the next tier. */
function findings(runs: TierRun[], shards: CheckDef[][], troubled: TierRun[]): Pick<Verdict, 'findings'> {
  if (!troubled.some((r) => r.verdict!.findings)) return {};
  const label = (r: TierRun) =>
    `shard ${runs.indexOf(r) + 1} (${shards[runs.indexOf(r)]!.map((c) => c.id).join(', ')})`;
  return {
    findings: troubled
      .filter((r) => r.verdict!.findings)
      .map((r) => `${label(r)}: ${r.verdict!.findings}`)
      .join('\n\n'),
  };
}

/** From the first shard's start to the last one's end. */
function spanOf(runs: TierRun[]): Pick<TierRun, 'startedAt' | 'endedAt' | 'durationMs'> {
  const start = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...runs.map((r) => Date.parse(r.endedAt)));
  return { startedAt: new Date(start).toISOString(), endedAt: new Date(end).toISOString(), durationMs: end - start };
}

/** What the shards used and met, added up. */
function totals(
  runs: TierRun[],
): Pick<
  TierRun,
  'turns' | 'costUsd' | 'modelUsage' | 'toolsUsed' | 'permissionDenials' | 'apiRetries' | 'mcpStatus' | 'containment'
> {
  const first = runs[0]!;
  return {
    turns: runs.reduce((n, r) => n + (r.turns ?? 0), 0),
    costUsd: runs.reduce((n, r) => n + r.costUsd, 0),
    modelUsage: sumUsage(runs),
    toolsUsed: sumCounts(runs.map((r) => r.toolsUsed)),
    permissionDenials: runs.flatMap((r) => r.permissionDenials),
    apiRetries: runs.reduce((n, r) => n + r.apiRetries, 0),
    mcpStatus: worstStatus(runs),
    containment: {
      ...first.containment,
      egressRefused: runs.reduce((n, r) => n + r.containment.egressRefused, 0),
      warnings: [...new Set(runs.flatMap((r) => r.containment.warnings))],
    },
  };
}

function sumCounts(all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const counts of all) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function sumUsage(runs: TierRun[]): Record<string, ModelUsage> {
  const out: Record<string, ModelUsage> = Object.create(null);
  for (const r of runs) {
    for (const [model, u] of Object.entries(r.modelUsage)) {
      const into = (out[model] ??= {} as ModelUsage) as Record<string, number>;
      for (const [k, v] of Object.entries(u)) if (typeof v === 'number') into[k] = (into[k] ?? 0) + v;
    }
  }
  return out;
}

/** A server is as good as its worst shard saw it. */
function worstStatus(runs: TierRun[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const r of runs)
    for (const [server, status] of Object.entries(r.mcpStatus))
      if (out[server] === undefined || out[server] === 'connected') out[server] = status;
  return out;
}
