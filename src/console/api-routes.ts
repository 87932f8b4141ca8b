// GET /api/v1/*: what the console shows, as JSON for scripts and dashboards, under the
// same read rules as its pages; every answer has the shape api-schema.ts declares.
import type { HTTPVersion, Instance } from 'find-my-way';
import fs from 'node:fs';
import path from 'node:path';
import { shownChecks, uptime, UPTIME_WINDOWS } from '../checks/check-state.js';
import { cyclesQuery, PER_PAGE } from './cycles-query.js';
import { API_PATHS, openApiDocument } from './api-schema.js';
import type { ConsoleDeps } from './deps.js';
import type { ViewHandler, Wrap } from './guard.js';
import { problemsFirst } from './pages.js';
import { queryOf, sendJson } from './respond.js';
import { shownNotes } from './note-routes.js';
import { weight } from '../memory/learn.js';
import { awaitsDecision } from '../approval/pending.js';

export function apiRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, { api }: Wrap): void {
  const handlers: Record<string, ViewHandler> = {
    '/api/v1/checks': checks(deps),
    '/api/v1/cycles': cycles(deps),
    '/api/v1/cycles/{id}': cycle(deps),
    '/api/v1/spend': spend(deps),
    '/api/v1/approvals': approvals(deps),
    '/api/v1/notes': notes(deps),
    '/api/v1/stats': stats(deps),
  };
  for (const p of API_PATHS) router.on('GET', p.replace('{id}', ':id'), api(handlers[p]!));
  const document = openApiDocument(packageVersion(deps.config.appDir));
  router.on('GET', '/api/v1/openapi.json', (_req, res) => sendJson(res, 200, document));
}

function notes(deps: ConsoleDeps): ViewHandler {
  return async (req, res) => {
    const check = queryOf(req).get('check');
    const now = new Date();
    if (check) {
      const entry = (await deps.store.checks()).checks[check];
      return sendJson(res, 200, { notes: entry ? await shownNotes(deps, check, entry.services, now) : [] });
    }
    const { state } = await deps.store.loadMemory();
    sendJson(res, 200, {
      notes: state.notes.map((n) => ({ ...n, weight: weight(n, now, deps.config.memory.halfLifeDays) })),
    });
  };
}

function checks(deps: ConsoleDeps): ViewHandler {
  return async (_req, res) => {
    const now = new Date();
    const list = problemsFirst(shownChecks(await deps.store.checks())).map(([id, e]) => ({
      id,
      title: e.title,
      services: e.services,
      ...(e.severity ? { severity: e.severity } : {}),
      status: e.status,
      since: e.since,
      uptime24h: uptime(e, UPTIME_WINDOWS['24h'], now) ?? null,
      last: e.last,
    }));
    sendJson(res, 200, { checks: list });
  };
}

function cycles(deps: ConsoleDeps): ViewHandler {
  return async (req, res) => {
    const { statuses, page } = cyclesQuery(req);
    const { rows, total } = await deps.store.cycles({ limit: PER_PAGE, offset: (page - 1) * PER_PAGE, statuses });
    sendJson(res, 200, {
      total,
      page,
      perPage: PER_PAGE,
      cycles: rows.map((r) => ({
        id: r.id,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        trigger: r.trigger,
        status: r.status,
        summary: r.summary,
        costUsd: r.costUsd,
        tiers: r.tiers,
      })),
    });
  };
}

function cycle(deps: ConsoleDeps): ViewHandler {
  return async (_req, res, p) => {
    const found = await deps.store.cycle(p.id ?? '');
    if (!found) return sendJson(res, 404, { error: `no cycle ${p.id}` });
    sendJson(res, 200, found);
  };
}

function spend(deps: ConsoleDeps): ViewHandler {
  return async (req, res) => {
    const asked = Math.floor(Number(queryOf(req).get('days')));
    const days = asked >= 1 && asked <= 365 ? asked : 30;
    sendJson(res, 200, { days: await deps.store.spendByDay(days) });
  };
}

function approvals(deps: ConsoleDeps): ViewHandler {
  return async (_req, res) => {
    const proposals = (await deps.store.proposals()).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    sendJson(res, 200, { proposals });
  };
}

function stats(deps: ConsoleDeps): ViewHandler {
  return async (_req, res) => {
    const now = new Date();
    const [state, { rows }, proposals, [today]] = await Promise.all([
      deps.store.checks(),
      deps.store.cycles({ limit: 1 }),
      deps.store.proposals(),
      deps.store.spendByDay(1),
    ]);
    const entries = shownChecks(state).map(([, e]) => e.status);
    const count = (s: string) => entries.filter((x) => x === s).length;
    const last = rows[0];
    sendJson(res, 200, {
      checks: {
        total: entries.length,
        healthy: count('healthy'),
        degraded: count('degraded'),
        unhealthy: count('unhealthy'),
        unknown: count('unknown'),
        notApplicable: count('not_applicable'),
      },
      lastCycle: last ? { id: last.id, status: last.status, startedAt: last.startedAt } : null,
      pendingApprovals: proposals.filter((p) => awaitsDecision(p, now)).length,
      spentTodayUsd: today?.totalUsd ?? 0,
    });
  };
}

function packageVersion(appDir: string): string {
  try {
    return (
      (JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { version?: string }).version ?? '0'
    );
  } catch {
    return '0';
  }
}
