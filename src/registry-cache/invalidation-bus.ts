import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { RedisConnections } from '../redis/redis-connections';
import { INVALIDATION_CHANNEL, Invalidation, InvalidationEnvelope, parseEnvelope } from './invalidation';
import { RegistryIndex } from './registry-index';

export type InvalidationHandler = (invalidation: InvalidationEnvelope) => void;

/**
 * The longest a PUBLISH may take, in the background, before it counts as failed (a frozen Redis
 * never answers). Also how long a publisher waits for a connection that is still being
 * established (the CLI publishes right after it started connecting).
 */
export const PUBLISH_TIMEOUT_MS = 1_000;

/** At most one "could not publish" warning this often, however many writes fail. */
export const PUBLISH_FAILURE_LOG_EVERY_MS = 10_000;

/**
 * Where this process's Redis subscription stands: `inline` (no Redis), `down` (not subscribed:
 * messages sent now are lost to this replica), `resyncing` (subscribed again, caches not yet
 * dropped) or `synced`.
 */
export type SubscriptionState = 'inline' | 'down' | 'resyncing' | 'synced';

/** The origin of the local "everything may have changed" invalidation a re-subscription delivers. */
export const RESYNC_ORIGIN = 'redis-resync';

/**
 * Tells every replica that the registry changed. Subscribers in this process get a message
 * synchronously when it is published; other processes get it through Redis pub/sub on
 * `service-registry:invalidate` (inline mode: this process only).
 *
 * A write never waits on Redis: `publish` returns once the registry index advanced and this
 * process's caches were told; the PUBLISH goes out in the background, bounded by
 * `PUBLISH_TIMEOUT_MS`, its failures counted (`service_registry_invalidation_publish_failures_total`)
 * and logged at most once per `PUBLISH_FAILURE_LOG_EVERY_MS`. Shutdown waits for the PUBLISHes
 * still under way (each bounded), so a CLI run's last message is sent before it exits.
 *
 * A message sent while a replica's subscription was down is lost to it, so whenever the
 * subscription is (re)established the replica treats everything as changed: it drops every
 * cached view before `/readyz` reports it ready again (`subscriptionState`).
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly handlers = new Set<InvalidationHandler>();
  /** PUBLISHes under way (each settles within about `2 × PUBLISH_TIMEOUT_MS`). */
  private readonly sending = new Set<Promise<void>>();
  private readonly publishedTotal: Counter;
  private readonly publishFailuresTotal: Counter;
  private readonly resyncsTotal: Counter;
  private state: SubscriptionState;
  /** Bumped by every subscription loss: a resync that began before it is void. */
  private subscriptionEpoch = 0;
  private subscribedBefore = false;
  private unreportedFailures = 0;
  private lastFailureReportAt = Number.NEGATIVE_INFINITY;
  private lastFailure = '';
  private failureReport: NodeJS.Timeout | null = null;
  /** Identifies this process on the channel. */
  readonly origin = randomUUID();

  constructor(
    private readonly redis: RedisConnections,
    private readonly registryIndex: RegistryIndex,
    // Unit specs build a bus without the app's registry: their counters go to one of their own.
    metrics: Registry = new Registry(),
  ) {
    this.state = redis.subscriber ? 'down' : 'inline';
    this.publishedTotal = new Counter({
      name: 'service_registry_invalidation_publishes_total',
      help: 'Invalidations published to Redis (delivered to the server; other replicas drop their caches)',
      registers: [metrics],
    });
    this.publishFailuresTotal = new Counter({
      name: 'service_registry_invalidation_publish_failures_total',
      help: 'Invalidations that could not be published to Redis (down, or no reply in time); other replicas see the write when their cache ages out',
      registers: [metrics],
    });
    this.resyncsTotal = new Counter({
      name: 'service_registry_invalidation_resyncs_total',
      help: 'Times the Redis subscription came back after a loss and this replica dropped every cached view',
      registers: [metrics],
    });
  }

  /** Where the Redis subscription stands; `/readyz` is ready only when `synced` (or `inline`). */
  get subscriptionState(): SubscriptionState {
    return this.state;
  }

  onModuleInit(): void {
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
    subscriber.on('close', () => this.subscriptionLost());
    // The connection does not re-subscribe by itself (see RedisConnections): every 'ready',
    // the first one included, subscribes and then resyncs.
    subscriber.on('ready', () => void this.resubscribe(subscriber));
    if (subscriber.status === 'ready') void this.resubscribe(subscriber);
  }

  subscribe(handler: InvalidationHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Advances the registry index (unless the writer took it already: `advancedTo`, from its
   * read back), starts publishing to the other processes without waiting for Redis, and tells
   * this process's caches (synchronously, before this returns). The PUBLISH goes out first, so
   * the other replicas' copy does not wait for this one's own patching.
   */
  async publish(invalidation: Invalidation, advancedTo?: number): Promise<void> {
    const index =
      advancedTo ??
      (await this.registryIndex.advance().catch((error: Error) => {
        this.logger.warn(`Could not advance the registry index (${error.message})`);
        return undefined;
      }));
    const envelope: InvalidationEnvelope = { ...invalidation, origin: this.origin, publishedAt: new Date().toISOString(), index };
    const connection = this.redis.command;
    if (connection) {
      const sending: Promise<void> = this.send(connection, envelope)
        .then(
          () => this.publishedTotal.inc(),
          (error: Error) => this.recordFailure(invalidation.reason, error),
        )
        .finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }
    this.deliver(envelope);
  }

  /** Lets the PUBLISHes under way finish (each is bounded) before the connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.sending);
    this.reportFailures();
  }

  private async send(connection: Redis, envelope: InvalidationEnvelope): Promise<void> {
    // Still connecting (a CLI run that just started): worth a short wait. Lost (reconnecting,
    // closed): Redis is known to be away, fail now.
    const connecting = ['wait', 'connecting', 'connect'].includes(connection.status);
    if (connection.status !== 'ready' && (!connecting || !(await this.redis.commandReady(PUBLISH_TIMEOUT_MS)))) {
      throw new Error(`connection is ${connection.status}`);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connection.publish(INVALIDATION_CHANNEL, JSON.stringify(envelope)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no reply within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private recordFailure(reason: string, error: Error): void {
    this.publishFailuresTotal.inc();
    this.unreportedFailures += 1;
    this.lastFailure = `"${reason}": ${error.message}`;
    const sinceReport = Date.now() - this.lastFailureReportAt;
    if (sinceReport >= PUBLISH_FAILURE_LOG_EVERY_MS) this.reportFailures();
    else if (!this.failureReport) {
      // The failures of this interval are summed up in one line at its end.
      this.failureReport = setTimeout(() => this.reportFailures(), PUBLISH_FAILURE_LOG_EVERY_MS - sinceReport);
      this.failureReport.unref();
    }
  }

  private reportFailures(): void {
    if (this.failureReport) clearTimeout(this.failureReport);
    this.failureReport = null;
    if (this.unreportedFailures === 0) return;
    this.lastFailureReportAt = Date.now();
    this.logger.warn(
      `Could not publish ${this.unreportedFailures} invalidation(s) to Redis (last ${this.lastFailure}); ` +
        `the writes are committed, other replicas see them when their cache ages out or their subscription resyncs`,
    );
    this.unreportedFailures = 0;
  }

  private subscriptionLost(): void {
    this.subscriptionEpoch += 1;
    if (this.state === 'synced') this.logger.warn(`Lost the subscription to ${INVALIDATION_CHANNEL}: not ready until it is back and the caches are dropped`);
    this.state = 'down';
  }

  /** Subscribes, then drops every cached view: messages sent while unsubscribed are lost. */
  private async resubscribe(connection: Redis): Promise<void> {
    const epoch = this.subscriptionEpoch;
    this.state = 'resyncing';
    try {
      await connection.subscribe(INVALIDATION_CHANNEL);
    } catch (error) {
      // The connection closes and a later 'ready' tries again.
      this.logger.warn(`Could not subscribe to ${INVALIDATION_CHANNEL}: ${(error as Error).message}`);
      return;
    }
    const index = await this.registryIndex.current().catch(() => undefined);
    if (epoch !== this.subscriptionEpoch) return;
    this.deliver({ reason: 'redis-resync', origin: RESYNC_ORIGIN, publishedAt: new Date().toISOString(), index });
    this.state = 'synced';
    if (this.subscribedBefore) {
      this.resyncsTotal.inc();
      this.logger.log(`Subscribed to ${INVALIDATION_CHANNEL} again: dropped every cached view (messages sent meanwhile were lost)`);
    }
    this.subscribedBefore = true;
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
