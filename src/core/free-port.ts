/**
 * A TCP port on 127.0.0.1 that was free a moment ago: for starting real servers in tests
 * (Postgres, Spark Connect, S3Proxy) on loopback. Another process may take it before the caller
 * binds it, so callers that can retry on EADDRINUSE should.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
