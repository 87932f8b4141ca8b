import type http from 'node:http';

/** Starts a server on a Unix socket (a cage reaches it through its bridge). */
export function listenOnSocket(server: http.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
}

/** Ends every connection and closes the server. */
export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
