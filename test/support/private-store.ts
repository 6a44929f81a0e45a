import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder for a replica's private store (`APPHUB_SERVICE_REGISTRY_LOCAL_DIR`). Readable
 * by everyone: as root, the embedded Postgres runs as the `postgres` user and must reach it.
 */
export async function privateStoreDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'registry-private-store-'));
  await chmod(path, 0o755);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A TCP port that accepts connections and counts them, answering nothing: point
 * `DATABASE_URL` or `REDIS_URL` at it to see that a process never opens a connection there.
 */
export class ConnectionCounter {
  connections = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<ConnectionCounter> {
    const server = createServer();
    const counter = new ConnectionCounter(server);
    server.on('connection', (socket) => {
      counter.connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return counter;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
