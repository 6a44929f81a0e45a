import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request a stub target received. */
export interface StubHit {
  path: string;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** `Date.now()` when its connection closed (answered, or given up by the client); null while open. */
  closedAt: number | null;
}

/** What a stub target does with a request. */
export type StubBehaviour = 'ok' | 'slow' | 'fail' | 'hang';

/**
 * Health endpoints to check, on 127.0.0.1. The first path segment picks the behaviour, the
 * rest is free (use it to tell targets apart): `/ok/…` answers 200, `/slow/…` answers 200
 * after 50 ms, `/fail/…` answers 500 with `database connection lost`, `/hang/…` never
 * answers. `/script/NAME/…` behaves as `script(NAME, …)` says, request by request (a target
 * that fails twice then recovers). Every request is recorded.
 */
export class StubTargets {
  readonly hits: StubHit[] = [];
  private readonly scripts = new Map<string, StubBehaviour[]>();
  /** Requests received and not answered yet. */
  open = 0;
  private readonly openWaiters = new Set<{ count: number; resolve: () => void }>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<StubTargets> {
    const server = createServer();
    const targets = new StubTargets(server);
    server.on('request', (request, response) => targets.answer(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return targets;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Arrival times of the requests for `path`. */
  hitsOf(path: string): number[] {
    return this.hits.filter((hit) => hit.path === path).map((hit) => hit.at);
  }

  /** The requests for `path`, in arrival order. */
  requestsOf(path: string): StubHit[] {
    return this.hits.filter((hit) => hit.path === path);
  }

  /** Resolves as soon as at least `count` requests are open at once (at once if they are now). */
  whenOpen(count: number): Promise<void> {
    if (this.open >= count) return Promise.resolve();
    return new Promise((resolve) => this.openWaiters.add({ count, resolve }));
  }

  /**
   * What the next requests to `/script/NAME/…` get, in order; the last behaviour then stays
   * (`script('api', ['ok'])` switches it to healthy for good). A script never set answers 200.
   */
  script(name: string, behaviours: StubBehaviour[]): void {
    if (behaviours.length === 0) throw new Error('a script needs at least one behaviour');
    this.scripts.set(name, [...behaviours]);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '/';
    const hit: StubHit = { path, at: Date.now(), closedAt: null };
    this.hits.push(hit);
    this.open++;
    for (const waiter of this.openWaiters) {
      if (this.open >= waiter.count) {
        this.openWaiters.delete(waiter);
        waiter.resolve();
      }
    }
    response.on('close', () => {
      this.open--;
      hit.closedAt = Date.now();
    });
    const [, first, name] = path.split('/');
    const behaviour = first === 'script' ? this.nextScripted(name) : first;
    if (behaviour === 'ok') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (behaviour === 'slow') {
      const timer = setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'), 50);
      response.on('close', () => clearTimeout(timer));
    } else if (behaviour === 'fail') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('database connection lost\n');
    } else if (behaviour === 'hang') {
      // Never answers; `stop()` closes the connection.
    } else {
      response.writeHead(404).end('no such stub');
    }
  }

  private nextScripted(name: string): StubBehaviour {
    const script = this.scripts.get(name) ?? ['ok'];
    return script.length > 1 ? script.shift()! : script[0];
  }
}
