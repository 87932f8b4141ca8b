import { STATUS_CODES } from 'node:http';

// Node's fetch fails with just "fetch failed", the real reason in `cause`; the MCP SDK's
// HTTP transports fail with "Error POSTing to endpoint: <body>", empty when the body is,
// and its SSE transport folds the cause into its message as text. These turn any of
// them into a line that names the reason.

const NETWORK = new Map([
  ['ENOTFOUND', 'host not found in DNS'],
  ['EAI_AGAIN', 'DNS lookup failed (temporary)'],
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['ETIMEDOUT', 'connection timed out'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connection timed out'],
  ['UND_ERR_SOCKET', 'connection closed by the server'],
  ['UND_ERR_HEADERS_TIMEOUT', 'no response headers in time'],
]);

const TLS_CODE =
  /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;
const CODE_IN_TEXT =
  /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+|ERR_(?:SSL|TLS)_[A-Z_]+|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\b/;
const MAX_BODY_SHOWN = 200;

/** Why a remote MCP server failed, in one line: DNS, refused connection, TLS, or the HTTP status and the start of its body. */
export function mcpFailure(e: unknown): string {
  const chain = causes(e);
  const status = chain.map((c) => c.code).find((c): c is number => typeof c === 'number' && c >= 100 && c <= 599);
  if (status !== undefined) return httpFailure(status, sdkBody(chain[0]!.message));
  const raw = chain[chain.length - 1]!.message.replace(/^(SSE error: )?(TypeError: )?fetch failed: /, '');
  const text = tidy(raw);
  const code = chain.map((c) => c.code).find((c): c is string => typeof c === 'string') ?? CODE_IN_TEXT.exec(raw)?.[1];
  const what =
    (code !== undefined && NETWORK.get(code)) ||
    ((code !== undefined && TLS_CODE.test(code)) || /SSL routines/.test(raw) ? 'TLS error' : undefined);
  const detail = code === undefined || text.includes(code) ? text : `${code}: ${text}`;
  if (!detail) return 'failed without a reason';
  return what ? `${what} (${detail})` : detail;
}

/** `HTTP 401 Unauthorized: <start of the body>`, or `… (empty body)`. */
export function httpFailure(status: number, body: string): string {
  const shown = tidy(body);
  return `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}${shown ? `: ${shown.length > MAX_BODY_SHOWN ? `${shown.slice(0, MAX_BODY_SHOWN)}…` : shown}` : ' (empty body)'}`;
}

interface Link {
  message: string;
  code?: unknown;
}

/** The error and its causes, outermost first; of an AggregateError (one per address tried), the first. */
function causes(e: unknown): Link[] {
  const out: Link[] = [];
  let at: unknown = e;
  while (at && typeof at === 'object' && out.length < 6) {
    const x = at as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
    out.push({ message: String(x.message ?? ''), code: x.code });
    at = x.cause ?? (Array.isArray(x.errors) ? x.errors[0] : undefined);
  }
  return out.length ? out : [{ message: String(e) }];
}

/** The body the SDK put in its message, without its own words around it. */
const sdkBody = (message: string): string =>
  message
    .replace(/^Streamable HTTP error: /, '')
    .replace(/^SSE error: Non-200 status code \(\d+\)$/, '')
    .replace(/^(Error POSTing to endpoint|Failed to open SSE stream|Failed to terminate session|SSE error): ?/, '');

/** One line; OpenSSL's "…:SSL routines:<fn>:<reason>:<file>:<line>:" reduced to its reason. */
function tidy(text: string): string {
  const ssl = /SSL routines:[^:]*:([^:]+):/.exec(text);
  return (ssl ? ssl[1]! : text).replace(/\s+/g, ' ').trim();
}
