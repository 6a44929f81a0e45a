import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { JsonObject } from '../database/json-object';

export const SERVICE_SOURCES = ['module', 'external'] as const;
export type ServiceSource = (typeof SERVICE_SOURCES)[number];

export const SERVICE_STATUSES = ['unknown', 'healthy', 'degraded', 'unreachable'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** What a health check can conclude (a service is `unknown` only until its first check). */
export const SNAPSHOT_STATUSES = ['healthy', 'degraded', 'unreachable'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

/** The current registry entry of one service (mutable; history lives in manifests and snapshots). */
@Entity({ name: 'services' })
@Unique('services_slug_key', ['slug'])
@Check('services_source_check', `source IN ('module', 'external')`)
@Check('services_status_check', `status IN ('unknown', 'healthy', 'degraded', 'unreachable')`)
@Check('services_module_id_check', `(source = 'module') = (module_id IS NOT NULL)`)
@Check(
  'services_health_thresholds_check',
  `health_failures_before_unhealthy BETWEEN 1 AND 100 AND health_successes_before_healthy BETWEEN 1 AND 100`,
)
@Index('services_module_id_idx', ['moduleId'])
@Index('services_next_health_check_at_idx', ['nextHealthCheckAt'])
export class ServiceEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'services_pkey' })
  id!: string;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl!: string;

  @Column({ name: 'health_endpoint', type: 'text', default: '/healthz' })
  healthEndpoint!: string;

  @Column({ type: 'text' })
  source!: ServiceSource;

  @Column({ name: 'module_id', type: 'text', nullable: true })
  moduleId!: string | null;

  @Column({ type: 'text', default: 'unknown' })
  status!: ServiceStatus;

  @Column({ name: 'status_message', type: 'text', nullable: true })
  statusMessage!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  capabilities!: unknown;

  @Column({ type: 'jsonb', default: {} })
  metadata!: JsonObject;

  @Column({ name: 'last_healthy_at', type: 'timestamptz', nullable: true })
  lastHealthyAt!: Date | null;

  /** The service's own `failuresBeforeUnhealthy` (manifest or API `health`); null: SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY. */
  @Column({ name: 'health_failures_before_unhealthy', type: 'integer', nullable: true })
  healthFailuresBeforeUnhealthy!: number | null;

  /** The service's own `successesBeforeHealthy`; null: SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY. */
  @Column({ name: 'health_successes_before_healthy', type: 'integer', nullable: true })
  healthSuccessesBeforeHealthy!: number | null;

  /** Highest health snapshot version handed out for this slug (see the health poller). */
  @Column({ name: 'health_version', type: 'integer', default: 0 })
  healthVersion!: number;

  /** When the fleet should next check this service; claimed with `FOR UPDATE SKIP LOCKED`. */
  @Column({ name: 'next_health_check_at', type: 'timestamptz', default: () => 'now()' })
  nextHealthCheckAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
