import type { HTTPVersion, Instance } from 'find-my-way';
import { CYCLE_STATUSES, type CycleStatus } from '../record/cycle-record.js';
import type { ConsoleDeps } from './deps.js';
import type { Wrap } from './guard.js';
import { checkPage, CONSOLE_CSS, cyclePage, cyclesPage, LIVE_JS, livePage, overviewPage, spendPage } from './pages.js';
import { CSP, html, send } from './respond.js';

const PER_PAGE = 50;

/** The pages an operator reads: overview, cycles, a cycle, a check, spend, the live view. */
export function pageRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, { page }: Wrap): void {
  router.on('GET', '/console.css', (_req, res) => send(res, 200, 'text/css', CONSOLE_CSS));
  router.on('GET', '/live.js', (_req, res) => send(res, 200, 'text/javascript', LIVE_JS));

  router.on(
    'GET',
    '/',
    page(async (req, res, _p, viewer) => {
      const [checks, [today], { rows }, holds, proposals] = await Promise.all([
        deps.store.checks(),
        deps.store.spendByDay(1),
        deps.store.cycles({ limit: 1 }),
        deps.store.holds(),
        deps.store.proposals(),
      ]);
      const latest = rows[0] ? await deps.store.cycle(rows[0].id) : undefined;
      const notice = new URL(req.url ?? '/', 'http://x').searchParams.get('notice') ?? undefined;
      const now = new Date();
      const pending = proposals.filter((p) => p.state === 'pending' && Date.parse(p.expiresAt) > now.getTime()).length;
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
          now,
        }),
      );
    }),
  );

  router.on(
    'GET',
    '/cycles',
    page(async (req, res, _p, viewer) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const statuses = (q.get('status') ?? '')
        .split(',')
        .filter((s): s is CycleStatus => (CYCLE_STATUSES as string[]).includes(s));
      const pageNo = Math.max(1, Number(q.get('page')) || 1);
      const { rows, total } = await deps.store.cycles({ limit: PER_PAGE, offset: (pageNo - 1) * PER_PAGE, statuses });
      html(res, cyclesPage({ viewer, rows, total, page: pageNo, perPage: PER_PAGE, statuses, all: CYCLE_STATUSES }));
    }),
  );

  router.on(
    'GET',
    '/cycles/:id',
    page(async (_req, res, p, viewer) => {
      const cycle = await deps.store.cycle(p.id ?? '');
      if (!cycle) return send(res, 404, 'text/plain', 'no such cycle\n');
      const stories: Record<number, string | undefined> = {};
      for (const t of cycle.tiers) {
        const own = await deps.store.runFile(cycle.id, t.tier, 'log');
        const shards = await Promise.all(
          (t.shards ?? []).map((x) => deps.store.runFile(cycle.id, t.tier, 'log', x.index)),
        );
        stories[t.tier] = [own, ...shards].filter((x) => x !== undefined).join('\n');
      }
      html(res, cyclePage({ viewer, cycle, stories }));
    }),
  );

  router.on(
    'GET',
    '/cycles/:id/tier/:tier/events.jsonl',
    page(async (_req, res, p) => {
      const text = await deps.store.runFile(p.id ?? '', Number(p.tier), 'jsonl');
      if (text === undefined) return send(res, 404, 'text/plain', 'no such run\n');
      res.writeHead(200, {
        'content-type': 'application/x-ndjson',
        'content-disposition': `attachment; filename="${p.id}-tier${Number(p.tier)}.jsonl"`,
        'cache-control': 'no-store',
        'content-security-policy': CSP,
      });
      res.end(text);
    }),
  );

  router.on(
    'GET',
    '/checks/*',
    page(async (_req, res, p, viewer) => {
      const id = (p['*'] ?? '').split('/').map(decodeURIComponent).join('/');
      const entry = (await deps.store.checks()).checks[id];
      if (!entry) return send(res, 404, 'text/plain', 'no such check\n');
      html(res, checkPage({ viewer, id, entry, now: new Date() }));
    }),
  );

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
