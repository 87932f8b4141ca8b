import type { Config } from '../config/config.js';

/** `claudeops trigger`: asks the running daemon, over its HTTP port, to run a cycle now. */
export async function trigger(config: Config, print: (line: string) => void = console.log): Promise<number> {
  const token = config.env.CLAUDEOPS_CONSOLE_TOKEN;
  if (!token) {
    print('claudeops trigger needs CLAUDEOPS_CONSOLE_TOKEN, the same as the running daemon has');
    return 1;
  }
  if (config.http.port === 'off' || config.http.port === 0) {
    print(`claudeops trigger needs the daemon's HTTP port: CLAUDEOPS_HTTP_PORT is ${config.http.port}`);
    return 1;
  }
  const host = ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}/actions/run-now`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { outcome?: string };
    if (res.status === 202) {
      print(
        `the daemon ${body.outcome === 'started' ? 'started a cycle' : body.outcome === 'queued' ? 'will run a cycle when the running one ends' : 'already has a cycle queued'}`,
      );
      return 0;
    }
    print(
      `the daemon refused (${res.status}${body.outcome ? `: ${body.outcome}` : res.status === 401 ? ": the token does not match the daemon's" : ''})`,
    );
    return 1;
  } catch (e) {
    print(
      `no daemon answers at ${url} (${(e as Error).cause ?? (e as Error).message}); is \`claudeops run\` running with this CLAUDEOPS_HTTP_PORT?`,
    );
    return 1;
  }
}
