import { spawn } from 'node:child_process';
import readline from 'node:readline';

// The daemon only ever asks a stdio server one thing: its tools. That takes three
// messages of MCP's JSON-RPC over newline-delimited stdio (initialize, initialized,
// tools/list), so it is spoken here directly: the SDK's client, with its schemas and
// JSON-schema validator, would cost the long-running daemon about 10 MB of memory.

export interface ToolInfo {
  name: string;
  /** `readOnlyHint: true`; a tool without the annotation counts as not read-only. */
  readOnly: boolean;
  /** `destructiveHint` as the server declares it, when it does. */
  destructive?: boolean;
}

const PROTOCOL_VERSION = '2025-06-18';
const MAX_LINE = 8 * 1024 * 1024;
const MAX_PAGES = 100;

export interface StdioServer {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

type Message = {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: any;
  error?: { code: number; message: string };
};

/** Starts the server, lists its tools (every page), and ends it; rejects with what went wrong. */
export function listStdioTools(server: StdioServer): {
  tools: Promise<ToolInfo[]>;
  pid: number | undefined;
  stop: () => void;
} {
  const child = spawn(server.command, server.args, {
    cwd: server.cwd,
    env: server.env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  child.on('error', (e) => fail(e));
  // 'close', not 'exit': an answer may still be in the pipe when the process is gone.
  child.on('close', (code, signal) =>
    fail(new Error(`the server exited (${signal ?? `code ${code}`}) before it answered`)),
  );
  child.stdin.on('error', () => undefined);
  const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  const request = (method: string, params: object): Promise<Message> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send({ id, method, params });
    });

  let bytes = 0;
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    bytes += line.length;
    if (bytes > MAX_LINE * 4) return fail(new Error('the server sent more than 32 MB'));
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      return; // servers may log to stdout; the SDK's client skips such lines too
    }
    if (m.method !== undefined && m.id !== undefined) {
      // A request from the server (ping, roots/list, …): the daemon offers no capabilities.
      send(
        m.method === 'ping'
          ? { id: m.id, result: {} }
          : { id: m.id, error: { code: -32601, message: 'Method not found' } },
      );
      return;
    }
    const waiting = typeof m.id === 'number' ? pending.get(m.id) : undefined;
    if (!waiting) return;
    pending.delete(m.id as number);
    if (m.error) waiting.reject(new Error(`MCP error ${m.error.code}: ${m.error.message}`));
    else waiting.resolve(m);
  });

  const tools = (async () => {
    await request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'claudeops', version: '1' },
    });
    send({ method: 'notifications/initialized' });
    const out: ToolInfo[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = (await request('tools/list', cursor ? { cursor } : {})).result ?? {};
      for (const t of Array.isArray(r.tools) ? r.tools : []) {
        if (typeof t?.name !== 'string') continue;
        const a = t.annotations ?? {};
        out.push({
          name: t.name,
          readOnly: a.readOnlyHint === true,
          ...(typeof a.destructiveHint === 'boolean' ? { destructive: a.destructiveHint } : {}),
        });
      }
      cursor = typeof r.nextCursor === 'string' ? r.nextCursor : undefined;
      if (!cursor) break;
    }
    return out;
  })();

  const stop = () => {
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  return { tools, pid: child.pid, stop };
}
