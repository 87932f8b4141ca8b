// What the ledger must show of every proposal: each step after one it follows from.
// proposed → approved | denied | expired; approved → executed (or refused at run time)
// → verified. Refused attempts may come at any point and change nothing.

const AFTER: Record<string, string[]> = {
  approval_proposed: [],
  approval_approved: ['approval_proposed'],
  approval_denied: ['approval_proposed'],
  approval_expired: ['approval_proposed'],
  approval_executed: ['approval_approved'],
  approval_verified: ['approval_executed'],
};
const DECISIONS = ['approval_approved', 'approval_denied', 'approval_expired'];

/** Checks each proposal's receipts are in an order the daemon can produce, with the approved hash the one executed. */
export function auditApprovals(entries: Record<string, unknown>[]): { proposals: number; problems: string[] } {
  const seen: Record<string, { steps: string[]; hash?: string }> = Object.create(null);
  const problems: string[] = [];
  for (const e of entries) {
    const kind = String(e.kind);
    if (!(kind in AFTER)) continue;
    const id = String(e.proposal);
    const p = (seen[id] ??= { steps: [] });
    const needs = AFTER[kind]!;
    if (kind === 'approval_proposed' && p.steps.length)
      problems.push(`proposal ${id} (seq ${e.seq}) is proposed twice`);
    else if (needs.length && !needs.some((n) => p.steps.includes(n)))
      problems.push(`proposal ${id}: ${kind} at seq ${e.seq} without ${needs.join(' or ')} before it`);
    if (DECISIONS.includes(kind) && p.steps.some((s) => DECISIONS.includes(s)))
      problems.push(`proposal ${id}: ${kind} at seq ${e.seq}, but it was already decided`);
    if (kind === 'approval_executed' && p.steps.includes('approval_executed'))
      problems.push(`proposal ${id} is executed twice (seq ${e.seq})`);
    if (kind === 'approval_proposed' || kind === 'approval_approved')
      p.hash ??= typeof e.hash === 'string' ? e.hash : undefined;
    if ((kind === 'approval_approved' || kind === 'approval_executed') && e.hash !== p.hash)
      problems.push(`proposal ${id}: ${kind} at seq ${e.seq} is for other content than was proposed`);
    p.steps.push(kind);
  }
  return { proposals: Object.keys(seen).length, problems };
}
