import { z } from 'zod';

const checkResult = z.object({
  id: z.string().describe('The check\'s id exactly as listed in "Checks to run" (e.g. "builtin/disk-space.md")'),
  status: z
    .enum(['healthy', 'degraded', 'unhealthy', 'unknown', 'not_applicable'])
    .describe(
      'not_applicable: the check\'s own "When to Run" (or its targets) says it does not apply here; give the reason in detail',
    ),
  service: z
    .string()
    .optional()
    .describe(
      'Which service this entry is about, when the check covers several (one entry per service); cooldowns are kept per service',
    ),
  detail: z.string().optional().describe('One line of evidence'),
});

const remediation = z.object({
  service: z.string(),
  action: z.enum(['restart', 'redeploy', 'config', 'other']),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'dry-run']),
  detail: z.string().optional(),
});

const proposal = z.object({
  service: z.string(),
  action: z.enum(['restart', 'redeploy', 'config', 'other']),
  commands: z
    .array(z.string().min(1))
    .min(1)
    .max(20)
    .describe(
      'The exact shell commands to run, in order; the daemon runs exactly these, and nothing else, once a human approves',
    ),
  why: z.string().describe('The evidence that this is the fix'),
  expected: z.string().describe('What should be true afterwards, and how the next cycle can see it'),
  rollback: z.string().describe('How to undo it if it makes things worse'),
});

/**
 * What every tier run must end with (each provider asks its CLI for it as structured output). Only status,
 * summary and escalate are required; the rest lets the daemon track checks and
 * remediations.
 */
export const verdictSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  summary: z.string().describe('Two or three sentences an operator can act on'),
  escalate: z.boolean().describe('true when a higher tier should investigate or remediate'),
  checks: z
    .array(checkResult)
    .optional()
    .describe(
      'One entry per listed check (more for a check covering several services); a check left out is recorded as not judged',
    ),
  remediations: z
    .array(remediation)
    .optional()
    .describe('Every remediation attempted in this run, including dry-run ones'),
  proposals: z
    .array(proposal)
    .max(10)
    .optional()
    .describe('In propose mode only: the changes you would make, for a human to approve'),
  findings: z.string().optional().describe('Evidence and hypotheses for the next tier'),
});

export type Verdict = z.infer<typeof verdictSchema>;
export type ProposalDraft = z.infer<typeof proposal>;

/** The inline JSON Schema passed with --json-schema. */
export const verdictJsonSchema: string = JSON.stringify(
  (({ $schema: _ignored, ...rest }) => rest)(z.toJSONSchema(verdictSchema)),
);

export function parseVerdict(value: unknown): { verdict?: Verdict; error?: string } {
  const r = verdictSchema.safeParse(value);
  if (r.success) return { verdict: r.data };
  return { error: r.error.issues.map((i) => `${i.path.join('.') || 'verdict'}: ${i.message}`).join('; ') };
}
