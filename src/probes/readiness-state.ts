import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { httpConfig } from '../config/configuration';

/**
 * Whether this replica should receive traffic. Shutdown flips it first (module-destroy runs
 * before the HTTP server closes), then waits `SHUTDOWN_DRAIN_MS` so load balancers notice
 * while in-flight and late requests are still served.
 *
 * From that moment every response carries `Connection: close` and keep-alive connections that
 * sit idle are closed, so clients open their next connection (to another replica) instead of
 * reusing one the server is about to close; a client that keeps its connection busy cannot
 * hold the shutdown up either.
 */
@Injectable()
export class ReadinessState implements OnModuleDestroy {
  private readonly logger = new Logger(ReadinessState.name);
  private draining = false;

  constructor(
    @Inject(httpConfig.KEY) private readonly config: ConfigType<typeof httpConfig>,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    const server = this.httpServer();
    server?.prependListener('request', closeAfterResponse);
    server?.closeIdleConnections();
    if (this.config.shutdownDrainMs > 0) {
      this.logger.log(`Shutting down: not ready, draining for ${this.config.shutdownDrainMs} ms`);
      // The global timer (not node:timers/promises), so a fake clock can drive the drain.
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdownDrainMs));
      server?.closeIdleConnections();
    }
  }

  private httpServer(): Server | undefined {
    const server: unknown = this.adapterHost?.httpAdapter?.getHttpServer();
    return server && typeof (server as Server).closeIdleConnections === 'function' ? (server as Server) : undefined;
  }
}

/** Ends the connection once this response is sent (Node honours the header). */
function closeAfterResponse(_request: IncomingMessage, response: ServerResponse): void {
  response.setHeader('Connection', 'close');
}
