import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, caller, csrfValue, sameOrigin, tokenMatches } from './auth.js';
import type { Viewer } from './pages.js';
import { readForm, redirect, send, sendJson } from './respond.js';

export type PageHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string | undefined>,
) => Promise<void>;
export type ViewHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string | undefined>,
  viewer: Viewer,
) => Promise<void> | void;
export type ActHandler = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => void | Promise<void>;
export type Wrap = {
  page: (handler: ViewHandler) => PageHandler;
  /** A JSON read: the page's rules, answered in JSON (401 rather than a redirect to the login form). */
  api: (handler: ViewHandler) => PageHandler;
  act: (handler: ActHandler) => PageHandler;
  viewerOf: (req: IncomingMessage) => Viewer;
  /** A caller that wants JSON: it asked for it, or it sent the bearer token. */
  asJson: (req: IncomingMessage) => boolean;
};

/**
 * The console's guards. Reading is open on a loopback bind and needs the token (or the
 * read-only token, as a bearer) on any other; every action needs the token (a bearer header, or the login cookie plus
 * the form's CSRF field), and a cross-site POST is refused.
 */
export function guards(token: string | undefined, host: string, readToken?: string): Wrap {
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(host);
  /** Who may read: anyone on loopback, the token's holder, and a bearer of the read-only token. */
  const mayRead = (req: IncomingMessage, viewer: Viewer) =>
    loopback || viewer.actor || tokenMatches(bearer(req) ?? '', readToken);
  const viewerOf = (req: IncomingMessage): Viewer => {
    const who = caller(req, token);
    return { actor: who.kind !== 'anonymous', csrf: token ? csrfValue(token) : undefined, tokenSet: !!token };
  };
  /** A read under the read rules: `refused` answers a caller who may not read and says so (false lets it on, as to the login form); `failed` answers a handler that threw. */
  const read =
    (
      refused: (req: IncomingMessage, res: ServerResponse) => boolean,
      failed: (res: ServerResponse, e: Error) => void,
    ) =>
    (handler: ViewHandler) =>
    async (req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>) => {
      const viewer = viewerOf(req);
      if (!mayRead(req, viewer) && refused(req, res)) return;
      try {
        await handler(req, res, params, viewer);
      } catch (e) {
        failed(res, e as Error);
      }
    };
  const page = read(
    (req, res) => {
      if (!token)
        send(
          res,
          403,
          'text/plain',
          'The console is bound to a non-loopback address and CLAUDEOPS_CONSOLE_TOKEN is unset: set a token to use it.\n',
        );
      else if (!req.url?.startsWith('/login')) redirect(res, '/login');
      else return false;
      return true;
    },
    (res, e) => send(res, 500, 'text/plain', `the page failed: ${e.message}\n`),
  );
  const api = read(
    (_req, res) => {
      sendJson(res, token ? 401 : 403, {
        error: token
          ? 'send Authorization: Bearer <CLAUDEOPS_CONSOLE_TOKEN>'
          : 'the console is bound to a non-loopback address and CLAUDEOPS_CONSOLE_TOKEN is unset: set a token to use it',
      });
      return true;
    },
    (res, e) => sendJson(res, 500, { error: `the request failed: ${e.message}` }),
  );
  const act = (handler: ActHandler) => async (req: IncomingMessage, res: ServerResponse) => {
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
  return { page, api, act, viewerOf, asJson };
}
