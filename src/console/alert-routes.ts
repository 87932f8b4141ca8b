import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPVersion, Instance } from 'find-my-way';
import { parseAlerts } from '../alerts/payload.js';
import { safeJson } from '../store/json-state.js';
import { bearer, tokenMatches } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import { readBody, sendJson } from './respond.js';

/** Alertmanager sends a group of alerts in one body; a quarter MiB holds a hundred large ones. */
export const MAX_ALERT_BODY = 256 * 1024;

/**
 * POST /api/v1/alerts: an alert source's one door, behind its own token
 * (CLAUDEOPS_ALERTS_TOKEN), which opens nothing else. A caller without the token is
 * refused before its body is read, and nothing is recorded; every payload the token
 * brings is recorded, refused or not.
 */
export function alertRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps): void {
  router.on('POST', '/api/v1/alerts', (req, res) => receive(deps, req, res));
}

async function receive(deps: ConsoleDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = deps.config.alerts.token;
  if (!token) return refuse(res, 401, 'CLAUDEOPS_ALERTS_TOKEN is not set: the daemon takes no alerts');
  if (!tokenMatches(bearer(req) ?? '', token))
    return refuse(res, 401, 'send the alerts token as Authorization: Bearer <CLAUDEOPS_ALERTS_TOKEN>');
  // A sender that hung up mid-body sent nothing: nothing is recorded, and no one is there to answer.
  const text = await readBody(req, MAX_ALERT_BODY).catch(() => null);
  if (text === null) return;
  if (text === undefined) {
    deps.control.alerts({ ok: false, problems: [`the body is over ${MAX_ALERT_BODY} bytes`] });
    // The rest of the body is not read: the connection cannot be used again.
    res.setHeader('connection', 'close');
    return refuse(res, 413, `the body is over ${MAX_ALERT_BODY} bytes; send fewer alerts per request`);
  }
  const json = safeJson(text);
  const parsed = json.ok ? parseAlerts(json.value) : { ok: false as const, problems: [`not JSON: ${json.error}`] };
  const reply = deps.control.alerts(parsed);
  if (!parsed.ok) return sendJson(res, 400, { error: 'the alert payload was refused', problems: parsed.problems });
  sendJson(res, reply.outcome === 'stopping' ? 503 : 202, reply);
}

const refuse = (res: ServerResponse, code: number, error: string): void => sendJson(res, code, { error });
