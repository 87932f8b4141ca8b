import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPVersion, Instance } from 'find-my-way';
import type { Decider } from '../approval/desk.js';
import { linkParams } from '../approval/links.js';
import { maintenanceUntil } from '../notify/hold.js';
import { caller } from './auth.js';
import { approvalsPage, holdLinkPage, outcomePage, proposalLinkPage } from './approval-pages.js';
import type { ConsoleDeps } from './deps.js';
import type { Wrap } from './guard.js';
import { html, readForm, redirect, send } from './respond.js';
import { oncePerClient } from './throttle.js';

/**
 * Approvals and holds. A signed link is its own credential, so its pages skip the
 * console's login (a phone opening a notification has no session), and its confirm
 * POST needs no origin check (it carries the signature; a reverse proxy may rewrite
 * Host); nothing is shown for a link whose signature fails, and such a link is
 * recorded once per client a minute however often it is sent. The list, and deciding from it, follow the
 * console's rules: reading as any page, deciding behind the token.
 */
export function approvalRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, w: Wrap): void {
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
