// A loopback TCP front that is listening before the daemon starts, so its address can go
// into the daemon's environment (CLAUDEOPS_PUBLIC_URL) without picking a "free" port that
// another process may take first. The daemon listens on a port of its own choosing
// (CLAUDEOPS_HTTP_PORT=0); connections wait until `to` names it, then pass through as they are.
import net from 'node:net';

export class Forward {
  private readonly sockets = new Set<net.Socket>();
  private target!: (port: number) => void;
  private readonly port = new Promise<number>((resolve) => (this.target = resolve));
  private readonly server = net.createServer((client) => {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    client.pause();
    void this.port.then((port) => {
      const upstream = net.connect(port, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      if (client.destroyed) return upstream.destroy();
      client.pipe(upstream).pipe(client);
      client.resume();
    });
  });

  /** Listens on a port the system picks; resolves to `http://127.0.0.1:<port>`. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Where connections go: the daemon's own port. */
  to(port: number): void {
    this.target(port);
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
