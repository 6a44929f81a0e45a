import { freePort as askTheKernel } from '../../src/database/free-port';

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
