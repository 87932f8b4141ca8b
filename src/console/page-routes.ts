import type { HTTPVersion, Instance } from 'find-my-way';
import { CYCLE_STATUSES, type CycleRecord } from '../record/cycle-record.js';
import type { ConsoleDeps } from './deps.js';
import { shownNotes } from './note-routes.js';
import type { ViewHandler, Wrap } from './guard.js';
import {
  checkPage,
  CONSOLE_CSS,
  cyclePage,
  cyclesPage,
  FAVICON_SVG,
  LIVE_JS,
  livePage,
  overviewPage,
  spendPage,
  type CheckPageData,
} from './pages.js';
import type { CheckEntry } from '../store/records.js';
import { CSP, html, queryOf, send } from './respond.js';
import { cyclesQuery, PER_PAGE } from './cycles-query.js';
import { ownership } from '../files/instance.js';
import { awaitsDecision } from '../approval/pending.js';
import { listRepos } from '../files/repos.js';

/** The pages an operator reads: overview, cycles, a cycle, a check, spend, the live view. */
export function pageRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, { page }: Wrap): void {
  router.on('GET', '/console.css', (_req, res) => send(res, 200, 'text/css', CONSOLE_CSS));
  router.on('GET', '/live.js', (_req, res) => send(res, 200, 'text/javascript', LIVE_JS));
  for (const icon of ['/favicon.svg', '/favicon.ico'])
    router.on('GET', icon, (_req, res) => send(res, 200, 'image/svg+xml', FAVICON_SVG));
  router.on('GET', '/', page(overviewView(deps)));
  router.on('GET', '/cycles', page(cyclesView(deps)));
  router.on('GET', '/cycles/:id', page(cycleView(deps)));
  router.on('GET', '/cycles/:id/tier/:tier/events.jsonl', page(eventsDownload(deps)));
  router.on('GET', '/checks/*', page(checkView(deps)));
  router.on(
    'GET',
    '/spend',
    page(async (_req, res, _p, viewer) =>
      html(res, spendPage({ viewer, days: await deps.store.spendByDay(30), budget: deps.config.budget.dailyUsd })),
    ),
  );
  router.on(
    'GET',
    '/live',
    page((_req, res, _p, viewer) => html(res, livePage({ viewer, live: deps.live.state, backlog: deps.live.backlog }))),
  );
  router.on(
    'GET',
    '/live/events',
    page((_req, res) => deps.live.subscribe(res)),
  );
}

/** GET /: the checks, today's spend, what waits for a human, and the latest cycle. */
function overviewView(deps: ConsoleDeps): ViewHandler {
  return async (req, res, _p, viewer) => {
    const [checks, [today], { rows }, holds, proposals] = await Promise.all([
      deps.store.checks(),
      deps.store.spendByDay(1),
      deps.store.cycles({ limit: 1 }),
      deps.store.holds(),
      deps.store.proposals(),
    ]);
    const latest = rows[0] ? await deps.store.cycle(rows[0].id) : undefined;
    const notice = queryOf(req).get('notice') ?? undefined;
    const now = new Date();
    const pending = proposals.filter((p) => awaitsDecision(p, now)).length;
    html(
      res,
      overviewPage({
        viewer,
        checks,
        holds,
        pending,
        live: deps.live.state,
        next: deps.control.nextCycleAt(),
        today: today!,
        budget: deps.config.budget.dailyUsd,
        latest,
        notice,
        ...(deps.config.instance.count > 1
          ? { instance: ownership(deps.config.instance, await listRepos(deps.config.reposDir)) }
          : {}),
        now,
      }),
    );
  };
}

/** GET /cycles: a page of cycles, newest first, filtered by status. */
function cyclesView(deps: ConsoleDeps): ViewHandler {
  return async (req, res, _p, viewer) => {
    const { statuses, page } = cyclesQuery(req);
    const { rows, total } = await deps.store.cycles({ limit: PER_PAGE, offset: (page - 1) * PER_PAGE, statuses });
    html(res, cyclesPage({ viewer, rows, total, page, perPage: PER_PAGE, statuses, all: CYCLE_STATUSES }));
  };
}

/** GET /cycles/:id: one cycle, with each tier's story. */
function cycleView(deps: ConsoleDeps): ViewHandler {
  return async (_req, res, p, viewer) => {
    const cycle = await deps.store.cycle(p.id ?? '');
    if (!cycle) return send(res, 404, 'text/plain', 'no such cycle\n');
    const [stories, proposals] = await Promise.all([tierStories(deps, cycle), deps.store.proposals()]);
    html(res, cyclePage({ viewer, cycle, stories, proposals: proposals.filter((p) => p.cycle === cycle.id) }));
  };
}

/** Each tier's story: its own log, then its shards' logs. */
async function tierStories(deps: ConsoleDeps, cycle: CycleRecord): Promise<Record<number, string | undefined>> {
  const out: Record<number, string | undefined> = {};
  for (const t of cycle.tiers) {
    const own = await deps.store.runFile(cycle.id, t.tier, 'log');
    const shards = await Promise.all((t.shards ?? []).map((x) => deps.store.runFile(cycle.id, t.tier, 'log', x.index)));
    out[t.tier] = [own, ...shards].filter((x) => x !== undefined).join('\n');
  }
  return out;
}

/** GET /cycles/:id/tier/:tier/events.jsonl: a tier run's events, as a download. */
function eventsDownload(deps: ConsoleDeps): ViewHandler {
  return async (_req, res, p) => {
    const text = await deps.store.runFile(p.id ?? '', Number(p.tier), 'jsonl');
    if (text === undefined) return send(res, 404, 'text/plain', 'no such run\n');
    res.writeHead(200, {
      'content-type': 'application/x-ndjson',
      'content-disposition': `attachment; filename="${p.id}-tier${Number(p.tier)}.jsonl"`,
      'cache-control': 'no-store',
      'content-security-policy': CSP,
    });
    res.end(text);
  };
}

/** What the agent last said of a check: the findings of the tier that judged it last, and the remediations of its services over its recent cycles. */
async function agentNotes(
  deps: ConsoleDeps,
  entry: CheckEntry,
): Promise<Pick<CheckPageData, 'findings' | 'remediations'>> {
  const recent = [...new Set(entry.last.slice(-10).map((r) => r.cycle))];
  const cycles = (await Promise.all(recent.map((c) => deps.store.cycle(c)))).filter((c) => c !== undefined);
  const last = entry.last.at(-1);
  const judged = cycles.find((c) => c.id === last?.cycle)?.tiers.find((t) => t.tier === last?.tier);
  const remediations = cycles.flatMap((c) =>
    c.tiers.flatMap((t) =>
      (t.verdict?.remediations ?? [])
        .filter((m) => entry.services.includes(m.service))
        .map((m) => ({ ...m, cycle: c.id, at: c.startedAt, tier: t.tier })),
    ),
  );
  return { findings: judged?.verdict?.findings, remediations: remediations.reverse() };
}

/** GET /checks/<id>: one check's state and history; its id may hold slashes. */
function checkView(deps: ConsoleDeps): ViewHandler {
  return async (_req, res, p, viewer) => {
    const id = (p['*'] ?? '').split('/').map(decodeURIComponent).join('/');
    const entry = (await deps.store.checks()).checks[id];
    if (!entry) return send(res, 404, 'text/plain', 'no such check\n');
    const now = new Date();
    const [proposals, agent, notes] = await Promise.all([
      deps.store.proposals(),
      agentNotes(deps, entry),
      shownNotes(deps, id, entry.services, now),
    ]);
    const mine = proposals.filter((x) => entry.services.includes(x.service));
    html(res, checkPage({ viewer, id, entry, now, proposals: mine, notes, ...agent }));
  };
}
