import { createServer } from 'node:net';

/** Ports this process has handed out: never the same one twice (the kernel may offer it again once released). */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago and that this test process has not handed
 * out before. Another process can still take it before it is used: `AppProcess.start` and
 * `RedisServer.start` try another port when that happens.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await askTheKernel();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function askTheKernel(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
