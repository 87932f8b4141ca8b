import type { HTTPVersion, Instance } from 'find-my-way';
import type { Decider } from '../desk/desk.js';
import { maintenanceUntil } from '../notify/hold.js';
import { actingVia, clientOf } from './auth.js';
import { decideByLink, holdByLink, holdLink, proposalLink } from './approval-links.js';
import { approvalsPage } from './approval-pages.js';
import type { ConsoleDeps } from './deps.js';
import type { ActHandler, ViewHandler, Wrap } from './guard.js';
import { html, queryOf, redirect, send, sendJson } from './respond.js';
import { oncePerClient } from './throttle.js';

/**
 * Approvals and holds. A signed link's pages and confirm POST stand outside the
 * console's guards (see approval-links.ts); a forged link is recorded once per client a
 * minute however often it is sent. The list, and deciding from it, follow the
 * console's rules: reading as any page, deciding behind the token.
 */
export function approvalRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps, w: Wrap): void {
  // A forged link is a receipt the first time each client sends one in a minute, not every time.
  const forged = deps.forgedLinks ?? oncePerClient({ windowMs: 60_000 });
  router.on('GET', '/approve', proposalLink(deps, w));
  router.on('POST', '/approve', decideByLink(deps, w, forged));
  router.on('GET', '/hold', holdLink(deps, w));
  router.on('POST', '/hold', holdByLink(deps, w));
  router.on('GET', '/approvals', w.page(approvalsList(deps)));
  router.on('POST', '/actions/approve', w.act(decideOnConsole(deps)));
}

/** GET /approvals: proposals and holds, with a notice from the last decision. */
function approvalsList(deps: ConsoleDeps): ViewHandler {
  return async (req, res, _p, viewer) => {
    const notice = queryOf(req).get('notice') ?? undefined;
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
  };
}

/** POST /actions/approve: the token holder approves or denies; JSON for a script, a redirect for the page. */
function decideOnConsole(deps: ConsoleDeps): ActHandler {
  return async (req, res, form) => {
    const verb = form.get('verb');
    const id = form.get('id');
    if ((verb !== 'approve' && verb !== 'deny') || !id)
      return send(res, 400, 'text/plain', 'needs verb (approve or deny), id and h\n');
    const who: Decider = {
      via: actingVia(req, deps.config.env.CLAUDEOPS_CONSOLE_TOKEN),
      from: clientOf(req),
    };
    const outcome = await deps.approvals.decide(verb, id, form.get('h') ?? '', who);
    if (outcome.ok && verb === 'approve') deps.control.approved();
    if ((req.headers.accept ?? '').includes('application/json') || who.via === 'bearer token')
      return sendJson(res, outcome.ok ? 200 : 409, { ok: outcome.ok, message: outcome.message });
    redirect(res, `/approvals?notice=${encodeURIComponent(outcome.message)}`);
  };
}
