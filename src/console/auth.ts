import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Who may act: the holder of CLAUDEOPS_CONSOLE_TOKEN, by a bearer header (scripts) or
// by a session cookie that the login form sets. Cookies are HMACs of the token, so the
// daemon keeps no sessions and a new token ends every old one.

export const SESSION_COOKIE = 'claudeops_session';

const mac = (token: string, purpose: string): string => createHmac('sha256', token).update(purpose).digest('hex');
const same = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const sessionValue = (token: string): string => mac(token, 'session-v1');
/** The form field every action form carries; a page from another site cannot know it. */
export const csrfValue = (token: string): string => mac(token, 'csrf-v1');

export type Caller = { kind: 'bearer' } | { kind: 'session' } | { kind: 'anonymous' };

/** The token of an `Authorization: Bearer …` header, if the request has one. */
export const bearer = (req: IncomingMessage): string | undefined => {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
};

export function caller(req: IncomingMessage, token: string | undefined): Caller {
  if (!token) return { kind: 'anonymous' };
  const given = bearer(req);
  if (given !== undefined && same(given, token)) return { kind: 'bearer' };
  const cookie = cookies(req)[SESSION_COOKIE];
  if (cookie && same(cookie, sessionValue(token))) return { kind: 'session' };
  return { kind: 'anonymous' };
}

export const tokenMatches = (given: string, token: string | undefined): boolean => !!token && same(given, token);

/**
 * A browser's POST must come from our own pages: not cross-site by Sec-Fetch-Site, the
 * same origin as the Host it was sent to, and (for a session) the CSRF field.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
  return origin !== 'null';
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** Where a request came from, as the receipts name it. */
export const clientOf = (req: IncomingMessage): string | undefined => req.socket.remoteAddress;

/** How the token's holder acted, as the receipts name it: by its bearer header, or logged in. */
export const actingVia = (req: IncomingMessage, token: string | undefined): 'bearer token' | 'console session' =>
  caller(req, token).kind === 'bearer' ? 'bearer token' : 'console session';
