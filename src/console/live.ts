import type { ServerResponse } from 'node:http';

/** What the console shows of the cycle under way. */
export interface LiveState {
  cycle?: string;
  tier?: number;
  startedAt?: string;
}

const KEEP = 2_000;

/**
 * The running cycle's story, as it is told: the lines so far (for a page opened
 * mid-run) and every open Server-Sent-Events stream, which gets each new line.
 */
export class LiveHub {
  private lines: string[] = [];
  private readonly streams = new Set<ServerResponse>();
  state: LiveState = {};

  begin(cycle: string): void {
    this.lines = [];
    this.state = { cycle, startedAt: new Date().toISOString() };
    this.event('cycle', JSON.stringify(this.state));
  }

  tier(tier: number): void {
    this.state = { ...this.state, tier };
    this.event('tier', JSON.stringify(this.state));
  }

  end(status: string): void {
    this.event('end', JSON.stringify({ ...this.state, status }));
    this.state = {};
  }

  /** Story text as written to stdout: one or more lines. */
  publish(text: string): void {
    for (const line of text.split('\n')) {
      if (!line) continue;
      this.lines.push(line);
      this.event('line', JSON.stringify(line));
    }
    if (this.lines.length > KEEP) this.lines = this.lines.slice(-KEEP);
  }

  get backlog(): readonly string[] {
    return this.lines;
  }

  /** Keeps `res` as an SSE stream until the client goes. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: hello\ndata: ${JSON.stringify(this.state)}\n\n`);
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  close(): void {
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  private event(name: string, data: string): void {
    for (const s of this.streams) s.write(`event: ${name}\ndata: ${data}\n\n`);
  }
}
