import type { HTTPVersion, Instance } from 'find-my-way';
import { sameOrigin, SESSION_COOKIE, sessionValue, tokenMatches } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import type { ActHandler, PageHandler, Wrap } from './guard.js';
import { loginPage } from './pages.js';
import { html, readForm, redirect, send, sendJson } from './respond.js';

/** Logging in and out, and the two actions on the running daemon: run now, stop the cycle. */
export function sessionRoutes(
  router: Instance<HTTPVersion.V1>,
  deps: ConsoleDeps,
  token: string | undefined,
  { page, act, asJson }: Wrap,
): void {
  router.on(
    'GET',
    '/login',
    page((_req, res, _p, viewer) => html(res, loginPage({ viewer }))),
  );
  router.on('POST', '/login', logIn(token));
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

  router.on('POST', '/actions/run-now', act(runNow(deps, asJson)));
  router.on('POST', '/actions/stop', act(stopCycle(deps, asJson)));
}

/** POST /login: the console token, when it matches, sets the session cookie. */
function logIn(token: string | undefined): PageHandler {
  return async (req, res) => {
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
  };
}

/** POST /actions/run-now: a cycle now, or after the running one. */
function runNow(deps: ConsoleDeps, asJson: Wrap['asJson']): ActHandler {
  return (req, res) => {
    const outcome = deps.control.runNow();
    if (asJson(req)) return sendJson(res, outcome === 'stopping' ? 409 : 202, { outcome });
    redirect(res, `/?notice=${encodeURIComponent(`Run now: ${outcome}`)}`);
  };
}

/** POST /actions/stop: stops the running cycle, not the daemon. */
function stopCycle(deps: ConsoleDeps, asJson: Wrap['asJson']): ActHandler {
  return (req, res) => {
    const stopped = deps.control.stop();
    if (asJson(req)) return sendJson(res, stopped ? 202 : 409, { stopped });
    redirect(res, `/?notice=${encodeURIComponent(stopped ? 'Stopping the running cycle' : 'No cycle is running')}`);
  };
}
