// Between prepare and the tiers: the checks' probes run, and only the checks that need
// judgement go on to tier 1 (no probe, a probe that fails or changed, a review due).
import type { CheckDef } from '../checks/check-set.js';
import type { CheckResult } from '../checks/results.js';
import { runProbes } from '../probe/run/run-probes.js';
import { selectForModel, type ProbedCheck } from '../probe/select.js';
import type { CycleContext } from './context.js';
import type { Prepared } from './prepare.js';

/** What the probes found: the checks they judged alone, and the prepared cycle the tiers get. */
export interface Probed {
  /** The checks judged by their probes alone, as results. */
  results: CheckResult[];
  /** As prepared, with only the checks the model judges (each with its probe's evidence). */
  forTiers: Prepared;
  /** Whether any tier runs: some check needs the model, or there are no check files at all. */
  modelNeeded: boolean;
}

export async function probeStage(ctx: CycleContext, cycle: string, prepared: Prepared): Promise<Probed> {
  const all = prepared.checks.checks;
  if (prepared.skippedReason || !all.some((c) => c.parsed.probes.length))
    return { results: [], forTiers: prepared, modelNeeded: true };
  const probed = await (ctx.probes ?? runProbes)({
    config: ctx.config,
    set: prepared.checks,
    shutdown: ctx.shutdown,
    onEgress: (line, refused) => ctx.logger[refused ? 'warn' : 'debug']({ cycle }, `probe egress: ${line}`),
  });
  const history = (id: string) => {
    const e = prepared.checkState.checks[id];
    return { status: e?.status, reviewedAt: e?.reviewedAt };
  };
  // An alert asks the model to look, whatever the probes say.
  const reviewMs = prepared.focus.alerts.length ? 'always' : ctx.config.probes.reviewMs;
  const chosen = selectForModel(all, probed, history, reviewMs, ctx.now());
  ctx.logger.info(
    { cycle, probed: probed.length, byProbes: chosen.probed.length, toModel: chosen.model.length },
    `probes: ${probed.length} check(s) probed, ${chosen.probed.length} judged by their probes alone, ${chosen.model.length} go to tier 1`,
  );
  return {
    results: chosen.probed.map((p) => probeResult(p, all)),
    forTiers: { ...prepared, checks: { ...prepared.checks, checks: chosen.model } },
    modelNeeded: chosen.model.length > 0,
  };
}

function probeResult(p: ProbedCheck, all: readonly CheckDef[]): CheckResult {
  const def = all.find((c) => c.id === p.id)!;
  return {
    id: p.id,
    title: def.title,
    status: p.status,
    services: def.services,
    detail: p.detail,
    by: 'probe',
    ...(def.severity ? { severity: def.severity } : {}),
    ...measureOf(p),
  };
}

/** The number a check's first probe gives, for its sparkline: a run probe's value, else the latency. */
function measureOf(p: ProbedCheck): Pick<CheckResult, 'value' | 'unit'> {
  const first = p.judgements[0];
  if (first?.value !== undefined) return { value: first.value, unit: '' };
  if (first?.latencyMs !== undefined) return { value: first.latencyMs, unit: 'ms' };
  return {};
}
