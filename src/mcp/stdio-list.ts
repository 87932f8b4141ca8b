import { spawn, type ChildProcessByStdio } from 'node:child_process';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

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
  const tools = listTools(new JsonRpc(child));
  const stop = () => {
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  return { tools, pid: child.pid, stop };
}

/** Initializes the session, then asks for every page of tools. */
async function listTools(rpc: JsonRpc): Promise<ToolInfo[]> {
  await rpc.request('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'claudeops', version: '1' },
  });
  rpc.notify('notifications/initialized');
  const out: ToolInfo[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = (await rpc.request('tools/list', cursor ? { cursor } : {})).result ?? {};
    for (const t of toolsOf(r)) out.push(t);
    cursor = typeof r.nextCursor === 'string' ? r.nextCursor : undefined;
    if (!cursor) break;
  }
  return out;
}

/** The tools of one page that have a name, as their annotations describe them. */
function toolsOf(page: Message['result']): ToolInfo[] {
  const out: ToolInfo[] = [];
  for (const t of Array.isArray(page.tools) ? page.tools : []) {
    if (typeof t?.name !== 'string') continue;
    const a = t.annotations ?? {};
    out.push({
      name: t.name,
      readOnly: a.readOnlyHint === true,
      ...(typeof a.destructiveHint === 'boolean' ? { destructive: a.destructiveHint } : {}),
    });
  }
  return out;
}

type Waiter = { resolve: (m: Message) => void; reject: (e: Error) => void };

/**
 * The client's side of the session: requests matched to their answers by id, requests
 * from the server declined; once the server fails or ends, every request rejects.
 */
class JsonRpc {
  private readonly pending = new Map<number, Waiter>();
  private nextId = 1;
  private failure: Error | undefined;
  private bytes = 0;

  constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    child.on('error', (e) => this.fail(e));
    // 'close', not 'exit': an answer may still be in the pipe when the process is gone.
    child.on('close', (code, signal) =>
      this.fail(new Error(`the server exited (${signal ?? `code ${code}`}) before it answered`)),
    );
    child.stdin.on('error', () => undefined);
    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
  }

  request(method: string, params: object): Promise<Message> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.send({ id, method, params });
    });
  }

  notify(method: string): void {
    this.send({ method });
  }

  private send(m: object): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  private onLine(line: string): void {
    this.bytes += line.length;
    if (this.bytes > MAX_LINE * 4) return this.fail(new Error('the server sent more than 32 MB'));
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      return; // servers may log to stdout; the SDK's client skips such lines too
    }
    // A request from the server (ping, roots/list, …): the daemon offers no capabilities.
    if (m.method !== undefined && m.id !== undefined)
      return this.send(
        m.method === 'ping'
          ? { id: m.id, result: {} }
          : { id: m.id, error: { code: -32601, message: 'Method not found' } },
      );
    this.settle(m);
  }

  /** Resolves or rejects the request an answer is for. */
  private settle(m: Message): void {
    const waiting = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!waiting) return;
    this.pending.delete(m.id as number);
    if (m.error) waiting.reject(new Error(`MCP error ${m.error.code}: ${m.error.message}`));
    else waiting.resolve(m);
  }
}
