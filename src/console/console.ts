import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPVersion, Instance } from 'find-my-way';
import type { Config } from '../config/config.js';
import { CYCLE_STATUSES, type CycleStatus, type CycleStore } from '../record/cycle-record.js';
import { caller, csrfValue, SESSION_COOKIE, sameOrigin, sessionValue, tokenMatches } from './auth.js';
import type { LiveHub } from './live.js';
import type { ApprovalDesk, Decider } from '../approval/desk.js';
import { linkParams } from '../approval/links.js';
import { maintenanceUntil } from '../notify/hold.js';
import { approvalsPage, holdLinkPage, outcomePage, proposalLinkPage } from './approval-pages.js';
import { oncePerClient, type Throttle } from './throttle.js';
import {
  checkPage,
  CONSOLE_CSS,
  cyclePage,
  cyclesPage,
  LIVE_JS,
  livePage,
  loginPage,
  overviewPage,
  spendPage,
  type Viewer,
} from './pages.js';

/** What the console may ask of the running daemon. */
export interface DaemonControl {
  runNow(): 'started' | 'queued' | 'already queued' | 'stopping';
  /** Stops the running cycle as SIGTERM would, but keeps the daemon; false when none runs. */
  stop(): boolean;
  nextCycleAt(): Date | undefined;
  /** A proposal was approved: run it before the next cycle, which starts now or after the running one. */
  approved(): void;
}

export interface ConsoleDeps {
  config: Config;
  store: CycleStore;
  live: LiveHub;
  control: DaemonControl;
  approvals: ApprovalDesk;
  /** How often a forged approval link is recorded per client; one a minute unless a test drives the clock. */
  forgedLinks?: Throttle;
}

const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PER_PAGE = 50;
const MAX_FORM = 4096;

/**
 * The console's routes on the daemon's HTTP port. Reading is open on a loopback bind
 * and needs the token on any other; every action needs the token (a bearer header, or
 * the login cookie plus the form's CSRF field), and a cross-site POST is refused.
 */
export function consoleRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps): void {
  const token = deps.config.env.CLAUDEOPS_CONSOLE_TOKEN;
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(deps.config.http.host);
  const viewerOf = (req: IncomingMessage): Viewer => {
    const who = caller(req, token);
    return { actor: who.kind !== 'anonymous', csrf: token ? csrfValue(token) : undefined, tokenSet: !!token };
  };
  const page =
    (
      handler: (
        req: IncomingMessage,
        res: ServerResponse,
        params: Record<string, string | undefined>,
        viewer: Viewer,
      ) => Promise<void> | void,
    ) =>
    async (req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>) => {
      const viewer = viewerOf(req);
      if (!loopback && !viewer.actor) {
        if (!token)
          return send(
            res,
            403,
            'text/plain',
            'The console is bound to a non-loopback address and CLAUDEOPS_CONSOLE_TOKEN is unset: set a token to use it.\n',
          );
        if (!req.url?.startsWith('/login')) return redirect(res, '/login');
      }
      try {
        await handler(req, res, params, viewer);
      } catch (e) {
        send(res, 500, 'text/plain', `the page failed: ${(e as Error).message}\n`);
      }
    };
  const act =
    (handler: (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => void | Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const who = caller(req, token);
      if (!token) return send(res, 403, 'text/plain', 'actions are off: set CLAUDEOPS_CONSOLE_TOKEN\n');
      if (who.kind === 'anonymous')
        return send(res, 401, 'text/plain', 'log in, or send Authorization: Bearer <CLAUDEOPS_CONSOLE_TOKEN>\n');
      const form = await readForm(req);
      if (who.kind === 'session' && (!sameOrigin(req) || form?.get('csrf') !== csrfValue(token)))
        return send(res, 403, 'text/plain', 'refused: this form did not come from the console\n');
      await handler(req, res, form ?? new URLSearchParams());
    };
  const asJson = (req: IncomingMessage) =>
    (req.headers.accept ?? '').includes('application/json') || caller(req, token).kind === 'bearer';

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

  router.on(
    'GET',
    '/login',
    page((_req, res, _p, viewer) => html(res, loginPage({ viewer }))),
  );
  router.on('POST', '/login', async (req, res) => {
    if (!sameOrigin(req)) return send(res, 403, 'text/plain', 'refused: this form did not come from the console\n');
    const form = await readForm(req);
    if (!token || !tokenMatches(form?.get('token') ?? '', token))
      return html(
        res,
        loginPage({
          viewer: { actor: false, tokenSet: !!token },
          error: token ? 'That is not the console token.' : 'Set CLAUDEOPS_CONSOLE_TOKEN first.',
        }),
        401,
      );
    res.writeHead(303, {
      location: '/',
      'set-cookie': `${SESSION_COOKIE}=${sessionValue(token)}; HttpOnly; SameSite=Strict; Path=/`,
      'cache-control': 'no-store',
    });
    res.end();
  });
  router.on(
    'POST',
    '/logout',
    act((_req, res) => {
      res.writeHead(303, {
        location: '/',
        'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
      });
      res.end();
    }),
  );

  approvalRoutes(router, deps, { page, act, viewerOf });

  router.on(
    'POST',
    '/actions/run-now',
    act((req, res) => {
      const outcome = deps.control.runNow();
      if (asJson(req))
        return send(res, outcome === 'stopping' ? 409 : 202, 'application/json', JSON.stringify({ outcome }) + '\n');
      redirect(res, `/?notice=${encodeURIComponent(`Run now: ${outcome}`)}`);
    }),
  );
  router.on(
    'POST',
    '/actions/stop',
    act((req, res) => {
      const stopped = deps.control.stop();
      if (asJson(req)) return send(res, stopped ? 202 : 409, 'application/json', JSON.stringify({ stopped }) + '\n');
      redirect(res, `/?notice=${encodeURIComponent(stopped ? 'Stopping the running cycle' : 'No cycle is running')}`);
    }),
  );
}

type PageHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string | undefined>,
) => Promise<void>;
type Wrap = {
  page: (
    handler: (
      req: IncomingMessage,
      res: ServerResponse,
      params: Record<string, string | undefined>,
      viewer: Viewer,
    ) => Promise<void> | void,
  ) => PageHandler;
  act: (
    handler: (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => void | Promise<void>,
  ) => PageHandler;
  viewerOf: (req: IncomingMessage) => Viewer;
};

/**
 * Approvals and holds. A signed link is its own credential, so its pages skip the
 * console's login (a phone opening a notification has no session), and its confirm
 * POST needs no origin check (it carries the signature; a reverse proxy may rewrite
 * Host); nothing is shown for a link whose signature fails, and such a link is
 * recorded once per client a minute however often it is sent. The list, and deciding from it, follow the
 * console's rules: reading as any page, deciding behind the token.
 */
function approvalRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, w: Wrap): void {
  const from = (req: IncomingMessage) => req.socket.remoteAddress;
  const linkFrom = (q: URLSearchParams, kinds: string[]) => {
    const l = linkParams(q);
    return l && kinds.includes(l.params.action) ? l : undefined;
  };
  const notGenuine = (res: ServerResponse) =>
    send(
      res,
      403,
      'text/plain',
      'This link is not genuine (its signature does not match); nothing was done. Use the link from the notification as sent.\n',
    );
  // A forged link is a receipt the first time each client sends one in a minute, not every time.
  const forged = deps.forgedLinks ?? oncePerClient({ windowMs: 60_000 });

  router.on('GET', '/approve', async (req, res) => {
    const link = linkFrom(new URL(req.url ?? '/', 'http://x').searchParams, ['approve', 'deny']);
    if (!link) return send(res, 400, 'text/plain', 'This approval link is incomplete.\n');
    const check = deps.approvals.checkLink(link.params, link.sig);
    if (check === 'bad signature') return notGenuine(res);
    const proposal = await deps.approvals.show(link.params.subject);
    if (!proposal) return send(res, 404, 'text/plain', 'No such proposal (it may have been pruned).\n');
    html(res, proposalLinkPage({ viewer: w.viewerOf(req), proposal, link, expired: check === 'expired' }));
  });
  router.on('POST', '/approve', async (req, res) => {
    const link = linkFrom((await readForm(req)) ?? new URLSearchParams(), ['approve', 'deny']);
    if (!link) return send(res, 400, 'text/plain', 'This approval form is incomplete.\n');
    const verb = link.params.action as 'approve' | 'deny';
    // Its signature first: a forged link learns nothing of the proposal it names.
    if (deps.approvals.checkLink(link.params, link.sig) === 'bad signature') {
      if (forged.first(from(req) ?? 'unknown'))
        deps.approvals.refuseForged(verb, link.params.subject, { via: 'signed link', from: from(req) });
      return notGenuine(res);
    }
    const outcome = await deps.approvals.decide(
      verb,
      link.params.subject,
      link.params.bind,
      { via: 'signed link', from: from(req) },
      link,
    );
    if (outcome.ok && verb === 'approve') deps.control.approved();
    html(
      res,
      outcomePage({
        viewer: w.viewerOf(req),
        ok: outcome.ok,
        title: outcome.ok ? (verb === 'approve' ? 'Approved' : 'Denied') : 'Refused',
        message: outcome.message,
        proposal: outcome.proposal,
      }),
      outcome.ok ? 200 : 409,
    );
  });

  router.on('GET', '/hold', async (req, res) => {
    const link = linkFrom(new URL(req.url ?? '/', 'http://x').searchParams, ['ack', 'silence']);
    if (!link) return send(res, 400, 'text/plain', 'This link is incomplete.\n');
    const check = deps.approvals.checkLink(link.params, link.sig);
    if (check === 'bad signature') return notGenuine(res);
    html(res, holdLinkPage({ viewer: w.viewerOf(req), link, expired: check === 'expired' }));
  });
  router.on('POST', '/hold', async (req, res) => {
    const link = linkFrom((await readForm(req)) ?? new URLSearchParams(), ['ack', 'silence']);
    if (!link) return send(res, 400, 'text/plain', 'This form is incomplete.\n');
    const check = deps.approvals.checkLink(link.params, link.sig);
    if (check !== 'ok')
      return check === 'expired'
        ? send(res, 410, 'text/plain', 'This link expired; nothing was done.\n')
        : notGenuine(res);
    const told = await deps.approvals.hold(
      link.params.action as 'ack' | 'silence',
      link.params.subject,
      link.params.bind,
      { via: 'signed link', from: from(req) },
    );
    html(res, outcomePage({ viewer: w.viewerOf(req), ok: true, title: 'Done', message: told }));
  });

  router.on(
    'GET',
    '/approvals',
    w.page(async (req, res, _p, viewer) => {
      const notice = new URL(req.url ?? '/', 'http://x').searchParams.get('notice') ?? undefined;
      const now = new Date();
      const [proposals, holds] = await Promise.all([deps.store.proposals(), deps.store.holds()]);
      html(
        res,
        approvalsPage({
          viewer,
          proposals,
          holds,
          maintenanceUntil: maintenanceUntil(deps.config.notify.maintenance, now),
          now,
          notice,
        }),
      );
    }),
  );
  router.on(
    'POST',
    '/actions/approve',
    w.act(async (req, res, form) => {
      const verb = form.get('verb');
      const id = form.get('id');
      if ((verb !== 'approve' && verb !== 'deny') || !id)
        return send(res, 400, 'text/plain', 'needs verb (approve or deny), id and h\n');
      const who: Decider = {
        via:
          caller(req, deps.config.env.CLAUDEOPS_CONSOLE_TOKEN).kind === 'bearer' ? 'bearer token' : 'console session',
        from: from(req),
      };
      const outcome = await deps.approvals.decide(verb, id, form.get('h') ?? '', who);
      if (outcome.ok && verb === 'approve') deps.control.approved();
      if ((req.headers.accept ?? '').includes('application/json') || who.via === 'bearer token')
        return send(
          res,
          outcome.ok ? 200 : 409,
          'application/json',
          JSON.stringify({ ok: outcome.ok, message: outcome.message }) + '\n',
        );
      redirect(res, `/approvals?notice=${encodeURIComponent(outcome.message)}`);
    }),
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_FORM) return undefined;
  }
  return new URLSearchParams(body);
}

function html(res: ServerResponse, body: string, code = 200): void {
  res.writeHead(code, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}

export function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
