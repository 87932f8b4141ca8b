import { aProbe } from './conditions.js';
import { evaluate, numberOf, type Seen } from './evaluate.js';
import type { Condition, Judgement, Observation, Probe, ProbeFailure, ProbeStatus } from './types.js';

const RANK: Record<ProbeStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
export const worstStatus = (statuses: ProbeStatus[]): ProbeStatus =>
  statuses.reduce<ProbeStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'healthy');

/**
 * What one probe's observation means: unhealthy when the runner saw nothing (its
 * failure said) or a condition failed, degraded when only `(degraded)` ones failed.
 */
export function judge(probe: Probe, observation: Observation): Judgement {
  if (observation.kind !== probe.kind)
    throw new Error(
      `judge: ${aProbe(probe.kind)} (line ${probe.line}) was given what ${aProbe(observation.kind)} saw; pass the observation of this probe`,
    );
  const latencyMs = observation.latencyMs;
  if ('failure' in observation)
    return { status: 'unhealthy', detail: `${label(probe)}: ${failureText(observation.failure)}`, latencyMs };
  const failed: { condition: Condition; got?: string }[] = [];
  for (const condition of probe.conditions) {
    const outcome = evaluate(condition, observation, probe.kind === 'dns' ? probe.type : undefined);
    if (!outcome.ok) failed.push({ condition, got: outcome.got });
  }
  const status = worstStatus(failed.map((f) => (f.condition.degraded ? 'degraded' : 'unhealthy')));
  const expected = failed.map((f) => `${f.condition.source}${f.got === undefined ? '' : `, got ${f.got}`}`);
  const detail = `${headline(probe, observation)}${expected.length ? ` (expected ${expected.join('; ')})` : ''}`;
  const value = numberOf('value', observation);
  return value === undefined ? { status, detail, latencyMs } : { status, detail, value, latencyMs };
}

/**
 * A check's status from its probes' observations (in the same order): the worst of
 * them. The detail joins the probes' that are not healthy, or all of them when none is.
 */
export function judgeCheck(
  probes: readonly Probe[],
  observations: readonly Observation[],
): { status: ProbeStatus; detail: string; judgements: Judgement[] } {
  if (probes.length === 0 || probes.length !== observations.length)
    throw new Error(
      `judgeCheck: ${probes.length} probe(s) and ${observations.length} observation(s); pass one observation for each probe, at least one`,
    );
  const judgements = probes.map((p, i) => judge(p, observations[i]!));
  const status = worstStatus(judgements.map((j) => j.status));
  const bad = judgements.filter((j) => j.status !== 'healthy');
  const fine = judgements.length - bad.length;
  const details = (bad.length ? bad : judgements).map((j) => j.detail);
  if (bad.length && fine) details.push(`${fine} other probe${fine === 1 ? '' : 's'} healthy`);
  return { status, detail: details.join('; '), judgements };
}

/** What a probe looks at, as its detail begins: "GET https://…", "tcp db:5432". */
export function label(probe: Probe): string {
  switch (probe.kind) {
    case 'http':
      return `${probe.method} ${probe.url}`;
    case 'tcp':
      return `tcp ${probe.host.includes(':') ? `[${probe.host}]` : probe.host}:${probe.port}`;
    case 'dns':
      return `dns ${probe.name} ${probe.type}`;
    case 'run':
      return `run ${probe.command.length > 80 ? `${probe.command.slice(0, 79)}…` : probe.command}`;
  }
}

function headline(probe: Probe, seen: Seen): string {
  const took = `in ${duration(seen.latencyMs)}`;
  const about = (subject: Condition['subject']): boolean => probe.conditions.some((c) => c.subject === subject);
  switch (seen.kind) {
    case 'http': {
      const cert =
        about('cert') && seen.certDaysLeft !== undefined ? `, cert ${Math.floor(seen.certDaysLeft)} days` : '';
      return `${label(probe)} → ${seen.status} ${took}${cert}`;
    }
    case 'tcp':
      return `${label(probe)} connected ${took}`;
    case 'dns': {
      const more = seen.answers.length > 3 ? ` and ${seen.answers.length - 3} more` : '';
      const answers = seen.answers.length ? seen.answers.slice(0, 3).join(', ') + more : 'no answer';
      return `${label(probe)} → ${answers} ${took}`;
    }
    case 'run': {
      const n = numberOf('value', seen);
      const value = about('value') && n !== undefined ? `, value ${n}` : '';
      return `${label(probe)} → exit ${seen.exit}${value} ${took}`;
    }
  }
}

/** What went wrong, for an operator: "connection refused", "timed out after 10 s". */
export function failureText(failure: ProbeFailure): string {
  switch (failure.reason) {
    case 'timeout':
      return `timed out after ${duration(failure.afterMs)}`;
    case 'refused':
      return 'connection refused';
    case 'egress':
      return 'refused by the egress policy';
    case 'not-found':
      return 'name not found';
    case 'tls':
      return `TLS error: ${failure.message}`;
    case 'error':
      return failure.message;
  }
}

/** "123 ms" below a second, else "1.5 s", "10 s". */
export const duration = (ms: number): string =>
  ms < 999.5 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
