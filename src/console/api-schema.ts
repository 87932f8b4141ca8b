// The JSON API's responses as zod schemas, built from the store's own record schemas,
// and the OpenAPI 3.1 document generated from them: what /api/v1/* promises is what the
// store checks, with no second description to drift.
import { z } from 'zod';
import {
  checkResultSchema,
  checkStatus,
  CYCLE_STATUSES,
  noteSchema,
  proposalSchema,
  summarySchema,
} from '../store/records.js';

const check = z.object({
  id: z.string(),
  title: z.string(),
  services: z.array(z.string()),
  severity: z.string().optional(),
  status: checkStatus,
  since: z.string(),
  /** Share of good results over the last 24 h; null without any. */
  uptime24h: z.number().min(0).max(1).nullable(),
  last: z.array(checkResultSchema),
});

const cycleRow = z.object({
  id: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  trigger: z.string(),
  status: z.enum(CYCLE_STATUSES),
  summary: z.string(),
  costUsd: z.number(),
  tiers: z.array(z.object({ tier: z.number().int(), exitClass: z.string() })),
});

const day = z.object({ day: z.string(), totalUsd: z.number(), byModel: z.record(z.string(), z.number()) });

export const API = {
  Checks: z.object({ checks: z.array(check) }),
  Cycles: z.object({
    total: z.number().int(),
    page: z.number().int(),
    perPage: z.number().int(),
    cycles: z.array(cycleRow),
  }),
  Cycle: summarySchema,
  Spend: z.object({ days: z.array(day) }),
  Approvals: z.object({ proposals: z.array(proposalSchema) }),
  Notes: z.object({
    notes: z.array(noteSchema.extend({ weight: z.number().describe('Its confidence now, after decay') })),
  }),
  Stats: z.object({
    checks: z.object({
      total: z.number().int(),
      healthy: z.number().int(),
      degraded: z.number().int(),
      unhealthy: z.number().int(),
      unknown: z.number().int(),
      notApplicable: z.number().int(),
    }),
    lastCycle: z.object({ id: z.string(), status: z.enum(CYCLE_STATUSES), startedAt: z.string() }).nullable(),
    pendingApprovals: z.number().int(),
    spentTodayUsd: z.number(),
  }),
  Error: z.object({ error: z.string() }),
} as const;

export type ApiName = keyof typeof API;

/** Each path, what it answers, and the query it takes. */
const PATHS: Record<string, { schema: ApiName; summary: string; query?: Record<string, string>; pathId?: boolean }> = {
  '/api/v1/checks': { schema: 'Checks', summary: 'Every check, problems first, with its last results' },
  '/api/v1/cycles': {
    schema: 'Cycles',
    summary: 'Cycles, newest first, 50 a page',
    query: { page: 'page number, from 1', status: 'comma-separated statuses to keep' },
  },
  '/api/v1/cycles/{id}': { schema: 'Cycle', summary: "One cycle's summary", pathId: true },
  '/api/v1/spend': { schema: 'Spend', summary: 'Spend per day and model', query: { days: 'days back, 1 to 365 (30)' } },
  '/api/v1/approvals': { schema: 'Approvals', summary: 'Every proposal, newest first' },
  '/api/v1/notes': {
    schema: 'Notes',
    summary: 'The notes the daemon keeps from earlier cycles, best first',
    query: { check: "a check's id: only the notes about it and its services" },
  },
  '/api/v1/stats': { schema: 'Stats', summary: 'A compact summary for dashboards' },
};

export function openApiDocument(version: string): Record<string, unknown> {
  const schemas = Object.fromEntries(
    Object.entries(API).map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }),
    ]),
  );
  const ref = (name: ApiName) => ({ $ref: `#/components/schemas/${name}` });
  const json = (name: ApiName, description: string) => ({
    description,
    content: { 'application/json': { schema: ref(name) } },
  });
  const paths = Object.fromEntries(
    Object.entries(PATHS).map(([p, d]) => [
      p,
      {
        get: {
          summary: d.summary,
          parameters: [
            ...(d.pathId ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : []),
            ...Object.entries(d.query ?? {}).map(([name, description]) => ({
              name,
              in: 'query',
              required: false,
              description,
              schema: { type: 'string' },
            })),
          ],
          responses: {
            200: json(d.schema, d.summary),
            401: json('Error', 'the token is needed (any bind but loopback)'),
            ...(d.pathId ? { 404: json('Error', 'no such cycle') } : {}),
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'claudeops',
      version,
      description: "The console's data as JSON: the same reads, under the same token rules.",
    },
    components: {
      schemas,
      securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'CLAUDEOPS_CONSOLE_TOKEN' } },
    },
    security: [{}, { token: [] }],
    paths,
  };
}

/** The paths of the API, for the router. */
export const API_PATHS = Object.keys(PATHS);
