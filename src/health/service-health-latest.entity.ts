import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { ServiceEntity, SnapshotStatus } from '../services/service.entity';

/**
 * The latest health check of each service (one row per slug), written in the same statement
 * as its snapshot. The next check continues the threshold counting from it, whichever replica
 * runs it; the services dataset reads the latest health from it (a join on a small table
 * rather than a probe of the snapshots index per service).
 */
@Entity({ name: 'service_health_latest' })
@Check('service_health_latest_status_check', `status IN ('healthy', 'degraded', 'unreachable')`)
@Check('service_health_latest_observed_status_check', `observed_status IN ('healthy', 'degraded', 'unreachable')`)
export class ServiceHealthLatestEntity {
  @PrimaryColumn({ name: 'service_slug', type: 'text', primaryKeyConstraintName: 'service_health_latest_pkey' })
  serviceSlug!: string;

  /** Goes with its service: deleted with it, and follows a renamed slug. */
  @OneToOne(() => ServiceEntity, { onDelete: 'CASCADE', onUpdate: 'CASCADE' })
  @JoinColumn({ name: 'service_slug', referencedColumnName: 'slug', foreignKeyConstraintName: 'service_health_latest_service_slug_fkey' })
  service?: ServiceEntity;

  /** The version of the snapshot this row copies. */
  @Column({ type: 'integer' })
  version!: number;

  /** The effective status (thresholds applied). */
  @Column({ type: 'text' })
  status!: SnapshotStatus;

  @Column({ name: 'observed_status', type: 'text' })
  observedStatus!: SnapshotStatus;

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

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'consecutive_successes', type: 'integer', default: 0 })
  consecutiveSuccesses!: number;

  /** When the effective status last changed. */
  @Column({ type: 'timestamptz' })
  since!: Date;

  @Column({ type: 'boolean', default: false })
  flapping!: boolean;

  /** Raw statuses of the latest checks, oldest first (the flapping window). */
  @Column({ name: 'recent_statuses', type: 'text', array: true, default: () => "'{}'" })
  recentStatuses!: SnapshotStatus[];
}
