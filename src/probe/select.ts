// Who needs the model this cycle: a pure function of the checks, what their probes found,
// what each check's history says, and `now`. A check is judged by its probes alone when
// they pass, its status has not changed, and its periodic review is not due.
import type { Judgement, ProbeStatus } from './types.js';

/** One check's probes, judged. */
export interface ProbedCheck {
  id: string;
  status: ProbeStatus;
  detail: string;
  judgements: Judgement[];
}

/** What the check's history says: its status after thresholds, and when the model last judged it. */
export interface CheckHistory {
  status?: string;
  /** The last result a tier (not a probe) gave, as an ISO time. */
  reviewedAt?: string;
}

/** A check as selection sees it: its id, and where its probe's evidence goes. */
interface Selectable {
  id: string;
  probe?: { status: string; detail: string; why: string };
}

export interface Selection<C extends Selectable> {
  /** Handed to tier 1, each with its probe evidence and why, when it has probes. */
  model: C[];
  /** Judged by their probes alone. */
  probed: ProbedCheck[];
}

export function selectForModel<C extends Selectable>(
  checks: readonly C[],
  probed: readonly ProbedCheck[],
  history: (id: string) => CheckHistory,
  reviewMs: 'always' | number,
  now: Date,
): Selection<C> {
  const byId = new Map(probed.map((p) => [p.id, p]));
  const out: Selection<C> = { model: [], probed: [] };
  for (const c of checks) {
    const p = byId.get(c.id);
    if (!p) {
      out.model.push(c);
      continue;
    }
    const why = reasonForModel(p, history(c.id), reviewMs, now);
    if (why) out.model.push({ ...c, probe: { status: p.status, detail: p.detail, why } });
    else out.probed.push(p);
  }
  return out;
}

/** Why a check with probes goes to the model, or undefined when its probes judge it. */
export function reasonForModel(
  p: ProbedCheck,
  h: CheckHistory,
  reviewMs: 'always' | number,
  now: Date,
): string | undefined {
  if (p.status !== 'healthy') return `the probe found it ${p.status}`;
  if (h.status !== undefined && h.status !== 'healthy') return `the probe passes, but it was ${h.status}`;
  if (reviewMs === 'always') return 'CLAUDEOPS_MODEL_REVIEW=always';
  if (h.reviewedAt === undefined) return 'its first review by the model';
  const since = now.getTime() - Date.parse(h.reviewedAt);
  if (!(since < reviewMs)) return `its review by the model is due (every ${reviewMs / 3_600_000} h)`;
  return undefined;
}
