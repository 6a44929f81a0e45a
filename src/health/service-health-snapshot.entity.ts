import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { JsonObject } from '../database/json-object';
import { ServiceEntity, ServiceStatus, SnapshotStatus } from '../services/service.entity';

/**
 * One point-in-time health check of one service; append-only, the highest `version` is the
 * latest. `status` is the effective status after the check (thresholds applied),
 * `observedStatus` what the check itself saw.
 */
@Entity({ name: 'service_health_snapshots' })
// Also answers "latest snapshot of a slug" with one backward index probe.
@Unique('service_health_snapshots_slug_version_key', ['serviceSlug', 'version'])
@Check('service_health_snapshots_status_check', `status IN ('healthy', 'degraded', 'unreachable')`)
// Lets retention find old rows without a full scan.
@Index('service_health_snapshots_checked_at_idx', ['checkedAt'])
@Check('service_health_snapshots_observed_status_check', `observed_status IN ('healthy', 'degraded', 'unreachable')`)
@Check('service_health_snapshots_previous_status_check', `previous_status IN ('unknown', 'healthy', 'degraded', 'unreachable')`)
// The transitions of a slug, newest first: `?transitions=true`.
@Index('service_health_snapshots_transitions_idx', ['serviceSlug', 'version'], { where: 'previous_status IS NOT NULL' })
export class ServiceHealthSnapshotEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'service_health_snapshots_pkey' })
  id!: string;

  @Column({ name: 'service_slug', type: 'text' })
  serviceSlug!: string;

  /** A snapshot goes with its service: deleted with it, and follows a renamed slug. */
  @ManyToOne(() => ServiceEntity, { onDelete: 'CASCADE', onUpdate: 'CASCADE' })
  @JoinColumn({
    name: 'service_slug',
    referencedColumnName: 'slug',
    foreignKeyConstraintName: 'service_health_snapshots_service_slug_fkey',
  })
  service?: ServiceEntity;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  status!: SnapshotStatus;

  @Column({ name: 'status_message', type: 'text', nullable: true })
  statusMessage!: string | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt!: Date;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl!: string;

  @Column({ name: 'health_endpoint', type: 'text' })
  healthEndpoint!: string;

  @Column({ type: 'jsonb', default: {} })
  metadata!: JsonObject;

  /** What the check saw; null on rows stored before thresholds existed (the observation is then `status`). */
  @Column({ name: 'observed_status', type: 'text', nullable: true })
  observedStatus!: SnapshotStatus | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'consecutive_successes', type: 'integer', default: 0 })
  consecutiveSuccesses!: number;

  /** When the effective status last changed (null on rows stored before thresholds existed). */
  @Column({ type: 'timestamptz', nullable: true })
  since!: Date | null;

  @Column({ type: 'boolean', default: false })
  flapping!: boolean;

  /** The effective status before this check, on the checks that changed it (transitions); null otherwise. */
  @Column({ name: 'previous_status', type: 'text', nullable: true })
  previousStatus!: ServiceStatus | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
