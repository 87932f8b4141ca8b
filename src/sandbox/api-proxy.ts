import http from 'node:http';
import https from 'node:https';
import { closeServer, listenOnSocket } from './socket-server.js';

/** What a CLI in a cage holds as its API key; the API proxy replaces it with the real one. */
export const PLACEHOLDER_KEY = 'claudeops-placeholder-no-secret-here';

/** How a provider's API is reached and metered; the provider declares it. */
export interface ApiRoute {
  /** The real endpoint, e.g. https://api.anthropic.com. */
  upstream: string;
  /** The header that carries the credential and its value: never seen inside the cage. */
  credential: { header: string; value: string };
  /** Headers the CLI may send with a placeholder credential; removed before the request leaves. */
  strip: string[];
  /** `METHOD /path` patterns the API proxy forwards; anything else is refused. */
  paths: RegExp[];
  /** Reads a response's bytes and returns what it cost, when it ends. */
  meter: () => ResponseMeter;
}

export interface ResponseMeter {
  push(chunk: Buffer): void;
  /** The response's cost in USD, from the usage it reported. */
  end(): number;
}

export interface ApiProxyOptions {
  route: ApiRoute;
  /** Why the next request must not be made (a budget is spent), or undefined. */
  refuse: (spentUsd: number) => string | undefined;
  onEvent: (line: string, refused: boolean) => void;
}

/**
 * The cage's only way to the model API: it listens on a Unix socket the cage sees, adds
 * the real credential to each request the CLI makes with its placeholder, forwards
 * only the API's own paths, streams the answer back unchanged, and counts what each
 * answer cost, refusing the next request once the run's budget is spent.
 */
export class ApiProxy {
  private readonly server: http.Server;
  private spent = 0;

  constructor(private readonly opts: ApiProxyOptions) {
    this.server = http.createServer((req, res) => this.forward(req, res));
  }

  get spentUsd(): number {
    return this.spent;
  }

  listen(socketPath: string): Promise<void> {
    return listenOnSocket(this.server, socketPath);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const { route } = this.opts;
    const line = `${req.method} ${req.url}`;
    if (!route.paths.some((p) => p.test(line))) {
      this.opts.onEvent(`refused ${line}: not a path of the model API`, true);
      return refuse(res, 403, `claudeops: ${req.method} ${req.url} is not a path of the model API`);
    }
    const why = req.method === 'HEAD' ? undefined : this.opts.refuse(this.spent);
    if (why) {
      this.opts.onEvent(`refused ${line}: ${why}`, true);
      req.resume();
      // 400 is not retried by the CLIs: the run ends at once, with this message.
      return refuse(res, 400, `claudeops: ${why}`);
    }
    // The CLI's base URL carries the upstream's path, so the request's path is the upstream's.
    const target = new URL(req.url ?? '/', new URL(route.upstream).origin);
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
    for (const h of route.strip) delete headers[h];
    headers[route.credential.header] = route.credential.value;
    const meter = route.meter();
    const failed = (e: Error) => {
      this.opts.onEvent(`${line} failed: ${e.message}`, false);
      if (!res.headersSent) refuse(res, 502, `claudeops: the model API cannot be reached (${e.message})`);
      else res.destroy();
    };
    let up: http.ClientRequest;
    try {
      up = (target.protocol === 'https:' ? https : http).request(target, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (c: Buffer) => meter.push(c));
        answer.on('end', () => (this.spent += meter.end()));
        answer.pipe(res);
      });
    } catch (e) {
      // A header Node refuses to send (a credential no header can carry) fails the run, not the daemon.
      req.resume();
      return failed(e as Error);
    }
    up.on('error', failed);
    req.pipe(up);
  }
}

function refuse(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      type: 'error',
      error: { type: code === 400 ? 'invalid_request_error' : 'permission_error', message },
    }) + '\n',
  );
}

/** Reads `data:` lines of a server-sent event stream (or a plain JSON body) as objects. */
export function jsonEvents(onEvent: (e: Record<string, unknown>) => void): { push(c: Buffer): void; end(): void } {
  let text = '';
  const take = (line: string) => {
    const body = line.startsWith('data:') ? line.slice(5).trim() : line.trim();
    if (!body.startsWith('{')) return;
    try {
      onEvent(JSON.parse(body) as Record<string, unknown>);
    } catch {
      /* not a whole JSON line: a plain body is read at the end */
    }
  };
  return {
    push(c) {
      text += c.toString('utf8');
      let i: number;
      while ((i = text.indexOf('\n')) >= 0) {
        take(text.slice(0, i));
        text = text.slice(i + 1);
      }
      if (text.length > 4 << 20) text = '';
    },
    end() {
      if (text) take(text.replace(/\n/g, ' '));
      text = '';
    },
  };
}
