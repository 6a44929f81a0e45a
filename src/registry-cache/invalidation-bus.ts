import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import { INVALIDATION_CHANNEL, Invalidation, InvalidationEnvelope, parseEnvelope } from './invalidation';
import { RegistryIndex } from './registry-index';

export type InvalidationHandler = (invalidation: InvalidationEnvelope) => void;

/** How long a publisher waits for a Redis connection that is still being established. */
const PUBLISH_CONNECT_WAIT_MS = 1_000;

/**
 * Tells every replica that the registry changed. Subscribers in this process get a message
 * synchronously when it is published; other processes get it through Redis pub/sub on
 * `service-registry:invalidate` (inline mode: this process only).
 *
 * Publishing never fails the write that triggered it: the data is already committed, and
 * the caches' maximum age bounds how long a lost message can leave a replica stale.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly handlers = new Set<InvalidationHandler>();
  /** Identifies this process on the channel. */
  readonly origin = randomUUID();

  constructor(
    private readonly redis: RedisConnections,
    private readonly registryIndex: RegistryIndex,
  ) {}

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.subscriber;
    if (!subscriber) return;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== INVALIDATION_CHANNEL) return;
      const envelope = parseEnvelope(raw);
      if (!envelope) {
        this.logger.warn(`Ignored a malformed message on ${INVALIDATION_CHANNEL}`);
        return;
      }
      if (envelope.origin !== this.origin) this.deliver(envelope);
    });
    // Queued until connected; ioredis re-subscribes by itself after a reconnect.
    subscriber.subscribe(INVALIDATION_CHANNEL).catch((error: Error) => {
      this.logger.warn(`Could not subscribe to ${INVALIDATION_CHANNEL}: ${error.message}`);
    });
  }

  subscribe(handler: InvalidationHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async publish(invalidation: Invalidation): Promise<void> {
    const index = await this.registryIndex.advance().catch((error: Error) => {
      this.logger.warn(`Could not advance the registry index (${error.message})`);
      return undefined;
    });
    const envelope: InvalidationEnvelope = { ...invalidation, origin: this.origin, publishedAt: new Date().toISOString(), index };
    this.deliver(envelope);
    const connection = this.redis.command;
    if (!connection) return;
    try {
      if (!(await this.redis.commandReady(PUBLISH_CONNECT_WAIT_MS))) {
        throw new Error(`connection is ${connection.status}`);
      }
      await connection.publish(INVALIDATION_CHANNEL, JSON.stringify(envelope));
    } catch (error) {
      this.logger.warn(
        `Could not publish the "${invalidation.reason}" invalidation (${(error as Error).message}); other replicas refresh when their cache ages out`,
      );
    }
  }

  private deliver(envelope: InvalidationEnvelope): void {
    for (const handler of this.handlers) {
      try {
        handler(envelope);
      } catch (error) {
        this.logger.error(`An invalidation handler failed: ${(error as Error).message}`);
      }
    }
  }
}
