import { createHmac, timingSafeEqual } from 'node:crypto';

// Links in notifications are capabilities: whoever holds one may take its one action.
// Each is an HMAC over what it does, what it is bound to and when it expires, so a
// link cannot be turned into another, outlive its expiry, or follow changed content.

export type LinkAction = 'approve' | 'deny' | 'ack' | 'silence';

export interface LinkParams {
  action: LinkAction;
  /** A proposal id, or a check id. */
  subject: string;
  /** A proposal's content hash, or the start of a check's unhealthy episode. */
  bind: string;
  /** Expiry, in Unix seconds. */
  exp: number;
}

const mac = (key: Buffer | string, p: LinkParams): string =>
  createHmac('sha256', key)
    .update(['claudeops-link-v1', p.action, p.subject, p.bind, String(p.exp)].join('\n'))
    .digest('hex');

/** Where each kind of link points on the console. */
const ROUTE: Record<LinkAction, string> = { approve: '/approve', deny: '/approve', ack: '/hold', silence: '/hold' };

export function signedLink(base: string, key: Buffer | string, p: LinkParams): string {
  const q = new URLSearchParams({ a: p.action, s: p.subject, b: p.bind, exp: String(p.exp), sig: mac(key, p) });
  return `${base}${ROUTE[p.action]}?${q}`;
}

/** A link's parameters from its query or form, if they are all there. */
export function linkParams(q: URLSearchParams): { params: LinkParams; sig: string } | undefined {
  const [a, s, b, exp, sig] = [q.get('a'), q.get('s'), q.get('b'), q.get('exp'), q.get('sig')];
  if (
    !a ||
    !['approve', 'deny', 'ack', 'silence'].includes(a) ||
    !s ||
    b === null ||
    !exp ||
    !/^\d{1,12}$/.test(exp) ||
    !sig
  )
    return undefined;
  return { params: { action: a as LinkAction, subject: s, bind: b, exp: Number(exp) }, sig };
}

export type LinkCheck = 'ok' | 'bad signature' | 'expired';

/** The signature first (a forged link learns nothing, not even that it expired), then the expiry. */
export function checkLink(key: Buffer | string, p: LinkParams, sig: string, now: Date): LinkCheck {
  const want = mac(key, p);
  if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) return 'bad signature';
  return now.getTime() / 1000 > p.exp ? 'expired' : 'ok';
}

/** How long acknowledge and silence links stay valid. */
const HOLD_LINK_TTL_S = 7 * 86_400;
/** What a "silence" link silences for. */
export const SILENCE_MS = 4 * 3_600_000;

/** Signed links for notifications, rooted at CLAUDEOPS_PUBLIC_URL. */
export interface Linker {
  forCheck(check: string, since: string): { ack: string; silence: string };
  forProposal(p: { id: string; hash: string; expiresAt: string }): { approve: string; deny: string };
}

export function makeLinker(base: string, key: Buffer | string, now: Date): Linker {
  const exp = Math.floor(now.getTime() / 1000) + HOLD_LINK_TTL_S;
  return {
    forCheck: (check, since) => ({
      ack: signedLink(base, key, { action: 'ack', subject: check, bind: since, exp }),
      silence: signedLink(base, key, { action: 'silence', subject: check, bind: '', exp }),
    }),
    forProposal: (p) => {
      const until = Math.floor(Date.parse(p.expiresAt) / 1000);
      return {
        approve: signedLink(base, key, { action: 'approve', subject: p.id, bind: p.hash, exp: until }),
        deny: signedLink(base, key, { action: 'deny', subject: p.id, bind: p.hash, exp: until }),
      };
    },
  };
}
