import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { runnable } from '../files/executable.js';
import { mcpFailure } from './failure.js';
import { listStdioTools, type StdioServer, type ToolInfo } from './stdio-list.js';

export type { ToolInfo } from './stdio-list.js';

/** Puts a stdio server in a sandbox for its listing: the server to start instead, and how to clean up after. */
export type ListingSandbox = (server: StdioServer) => Promise<{ server: StdioServer; close: () => Promise<void> }>;

export type ServerTools = { ok: true; tools: ToolInfo[] } | { ok: false; error: string };

/** Each merged server's tools, by server name; prototype-free, since names come from repos. */
export type McpCatalog = Record<string, ServerTools>;

export interface ServerEntry {
  type?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Repo files may set it; the CLI ignores it, so the daemon resolves paths with it and drops it. */
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
}

/** A `${VAR}` or `${VAR:-default}` reference, as the CLI reads them: the name, then the default if any. */
export const VAR_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}` and `${VAR:-default}` as the CLI expands them; an unset variable without a default stays as written. */
export const expandVars = (text: string, env: NodeJS.ProcessEnv): string =>
  text.replace(VAR_REFERENCE, (whole, name: string, fallback: string | undefined) => env[name] ?? fallback ?? whole);

/**
 * Lists every server's tools with a real MCP client, all at once, each within
 * `timeoutMs`. With `plain` (the entries as their files wrote them), a stdio server
 * whose command is not installed is reported as such without being started. A server that cannot be listed is reported with why; the caller
 * denies it to read-only tiers for the cycle.
 */
export async function listCatalog(
  servers: Record<string, ServerEntry>,
  options: {
    cwd: string;
    timeoutMs: number;
    env?: NodeJS.ProcessEnv;
    plain?: Record<string, ServerEntry>;
    sandbox?: ListingSandbox;
  },
): Promise<McpCatalog> {
  const catalog: McpCatalog = Object.create(null);
  const env = options.env ?? process.env;
  await Promise.all(
    Object.entries(servers).map(async ([name, entry]) => {
      const command = options.plain?.[name]?.command;
      if (command !== undefined && !runnable(expandVars(command, env), env.PATH)) {
        catalog[name] = { ok: false, error: `its command "${command}" is not installed (not on PATH)` };
        return;
      }
      catalog[name] = await listServer(entry, options.cwd, options.timeoutMs, env, options.sandbox);
    }),
  );
  return catalog;
}

async function listServer(
  entry: ServerEntry,
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
  sandbox?: ListingSandbox,
): Promise<ServerTools> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const x = (s: string) => expandVars(s, env);
  if (entry.url === undefined) {
    if (!entry.command) return { ok: false, error: 'no command and no url' };
    const plain: StdioServer = {
      command: x(entry.command),
      args: (entry.args ?? []).map(x),
      env: {
        ...baseEnvironment(env),
        ...Object.fromEntries(Object.entries(entry.env ?? {}).map(([k, v]) => [k, x(v)])),
      },
      cwd,
    };
    let caged: Awaited<ReturnType<ListingSandbox>> | undefined;
    try {
      caged = await sandbox?.(plain);
    } catch (e) {
      clearTimeout(timer);
      return { ok: false, error: `its sandbox cannot start (${(e as Error).message.split('\n')[0]})` };
    }
    const listing = listStdioTools(caged?.server ?? plain);
    try {
      return { ok: true, tools: await Promise.race([listing.tools, timeout]) };
    } catch (e) {
      return { ok: false, error: (e as Error).message.split('\n')[0]! };
    } finally {
      clearTimeout(timer);
      listing.stop();
      // A server that ignores stdin's end and SIGTERM would outlive the listing.
      if (listing.pid) killIfAlive(listing.pid);
      await caged?.close();
    }
  }
  let client: Client | undefined;
  try {
    // Remote servers need the SDK's transports; it is loaded only for them.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    client = new Client({ name: 'claudeops', version: '1' });
    const tools = await Promise.race([listAll(client, await remoteTransport(entry, env)), timeout]);
    return { ok: true, tools };
  } catch (e) {
    return { ok: false, error: mcpFailure(e) };
  } finally {
    clearTimeout(timer);
    await client?.close().catch(() => undefined);
  }
}

/** What a stdio server inherits besides its own env, as the MCP SDK's stdio transport gives it. */
const INHERITED = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
const baseEnvironment = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(
    INHERITED.filter((k) => typeof env[k] === 'string' && !env[k].startsWith('()')).map((k) => [k, env[k]!]),
  );

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
}

async function listAll(client: Client, transport: Transport): Promise<ToolInfo[]> {
  await client.connect(transport);
  const out: ToolInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    for (const t of page.tools)
      out.push({
        name: t.name,
        readOnly: t.annotations?.readOnlyHint === true,
        ...(typeof t.annotations?.destructiveHint === 'boolean' ? { destructive: t.annotations.destructiveHint } : {}),
      });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function remoteTransport(entry: ServerEntry, env: NodeJS.ProcessEnv): Promise<Transport> {
  const x = (s: string) => expandVars(s, env);
  const headers = Object.fromEntries(Object.entries(entry.headers ?? {}).map(([k, v]) => [k, x(v)]));
  const url = new URL(x(entry.url!));
  if (entry.type === 'sse')
    return new (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport(url, {
      requestInit: { headers },
    });
  return new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(url, {
    requestInit: { headers },
  });
}
