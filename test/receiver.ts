// A local HTTP receiver for Apprise's json:// notifications.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  title: string;
  message: string;
  type: string;
}

export class Receiver {
  readonly received: Received[] = [];
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        this.received.push(JSON.parse(body) as Received);
      } catch {
        this.received.push({ title: '', message: body, type: 'unparsed' });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `json://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
