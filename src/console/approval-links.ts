import type { IncomingMessage, ServerResponse } from 'node:http';
import { linkParams } from '../approval/links.js';
import { holdLinkPage, outcomePage, proposalLinkPage } from './approval-pages.js';
import { clientOf } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import type { Wrap } from './guard.js';
import { html, queryOf, readForm, send } from './respond.js';
import type { Throttle } from './throttle.js';

// A signed link is its own credential, so its pages skip the console's login (a phone
// opening a notification has no session), and its confirm POST needs no origin check
// (it carries the signature; a reverse proxy may rewrite Host). Nothing is shown for a
// link whose signature fails.

/** A route a signed link reaches, outside the console's guards. */
export type LinkHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

type Link = NonNullable<ReturnType<typeof linkParams>>;

/** The link's parameters, when complete and for one of `kinds`. */
function linkFrom(q: URLSearchParams, kinds: string[]): Link | undefined {
  const l = linkParams(q);
  return l && kinds.includes(l.params.action) ? l : undefined;
}

const formOf = async (req: IncomingMessage): Promise<URLSearchParams> => (await readForm(req)) ?? new URLSearchParams();

function notGenuine(res: ServerResponse): void {
  send(
    res,
    403,
    'text/plain',
    'This link is not genuine (its signature does not match); nothing was done. Use the link from the notification as sent.\n',
  );
}

/** GET /approve: the proposal a link names, with the form that confirms the link's verb. */
export function proposalLink(deps: ConsoleDeps, w: Wrap): LinkHandler {
  return async (req, res) => {
    const link = linkFrom(queryOf(req), ['approve', 'deny']);
    if (!link) return send(res, 400, 'text/plain', 'This approval link is incomplete.\n');
    const check = deps.approvals.checkLink(link.params, link.sig);
    if (check === 'bad signature') return notGenuine(res);
    const proposal = await deps.approvals.show(link.params.subject);
    if (!proposal) return send(res, 404, 'text/plain', 'No such proposal (it may have been pruned).\n');
    html(res, proposalLinkPage({ viewer: w.viewerOf(req), proposal, link, expired: check === 'expired' }));
  };
}

/**
 * POST /approve: approves or denies as the link says. A forged link is recorded once
 * per client in `forged`'s window, however often it is sent.
 */
export function decideByLink(deps: ConsoleDeps, w: Wrap, forged: Throttle): LinkHandler {
  return async (req, res) => {
    const link = linkFrom(await formOf(req), ['approve', 'deny']);
    if (!link) return send(res, 400, 'text/plain', 'This approval form is incomplete.\n');
    const verb = link.params.action as 'approve' | 'deny';
    const who = { via: 'signed link', from: clientOf(req) } as const;
    // Its signature first: a forged link learns nothing of the proposal it names.
    if (deps.approvals.checkLink(link.params, link.sig) === 'bad signature') {
      if (forged.first(clientOf(req) ?? 'unknown')) deps.approvals.refuseForged(verb, link.params.subject, who);
      return notGenuine(res);
    }
    const outcome = await deps.approvals.decide(verb, link.params.subject, link.params.bind, who, link);
    if (outcome.ok && verb === 'approve') deps.control.approved();
    const title = outcome.ok ? (verb === 'approve' ? 'Approved' : 'Denied') : 'Refused';
    html(
      res,
      outcomePage({
        viewer: w.viewerOf(req),
        ok: outcome.ok,
        title,
        message: outcome.message,
        proposal: outcome.proposal,
      }),
      outcome.ok ? 200 : 409,
    );
  };
}

/** GET /hold: what acknowledging or silencing a check would do, with the form that confirms it. */
export function holdLink(deps: ConsoleDeps, w: Wrap): LinkHandler {
  return async (req, res) => {
    const link = linkFrom(queryOf(req), ['ack', 'silence']);
    if (!link) return send(res, 400, 'text/plain', 'This link is incomplete.\n');
    const check = deps.approvals.checkLink(link.params, link.sig);
    if (check === 'bad signature') return notGenuine(res);
    html(res, holdLinkPage({ viewer: w.viewerOf(req), link, expired: check === 'expired' }));
  };
}

/** POST /hold: acknowledges or silences the check, unless the link expired. */
export function holdByLink(deps: ConsoleDeps, w: Wrap): LinkHandler {
  return async (req, res) => {
    const link = linkFrom(await formOf(req), ['ack', 'silence']);
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
      { via: 'signed link', from: clientOf(req) },
    );
    html(res, outcomePage({ viewer: w.viewerOf(req), ok: true, title: 'Done', message: told }));
  };
}
