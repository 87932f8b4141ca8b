import { z } from 'zod';

const checkResult = z.object({
  id: z.string().describe('The check\'s id exactly as listed in "Checks to run" (e.g. "builtin/disk-space.md")'),
  status: z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']),
  service: z
    .string()
    .optional()
    .describe('Which service this entry is about, when the check covers several (one entry per service); cooldowns are kept per service'),
  detail: z.string().optional().describe('One line of evidence'),
});

const remediation = z.object({
  service: z.string(),
  action: z.enum(['restart', 'redeploy', 'config', 'other']),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'dry-run']),
  detail: z.string().optional(),
});

/**
 * What every tier run must end with (the CLI's StructuredOutput tool). Only status,
 * summary and escalate are required; the rest lets the daemon track checks and
 * remediations.
 */
export const verdictSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  summary: z.string().describe('Two or three sentences an operator can act on'),
  escalate: z.boolean().describe('true when a higher tier should investigate or remediate'),
  checks: z.array(checkResult).optional().describe('One entry per listed check (more for a check covering several services); a check left out is recorded as not judged'),
  remediations: z.array(remediation).optional().describe('Every remediation attempted in this run, including dry-run ones'),
  findings: z.string().optional().describe('Evidence and hypotheses for the next tier'),
});

export type Verdict = z.infer<typeof verdictSchema>;

/** The inline JSON Schema passed with --json-schema. */
export const verdictJsonSchema: string = JSON.stringify(
  (({ $schema: _ignored, ...rest }) => rest)(z.toJSONSchema(verdictSchema) as Record<string, unknown>),
);

export function parseVerdict(value: unknown): { verdict?: Verdict; error?: string } {
  const r = verdictSchema.safeParse(value);
  if (r.success) return { verdict: r.data };
  return { error: r.error.issues.map((i) => `${i.path.join('.') || 'verdict'}: ${i.message}`).join('; ') };
}
