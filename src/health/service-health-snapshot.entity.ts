import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { JsonObject } from '../database/json-object';
import { ServiceEntity, SnapshotStatus } from '../services/service.entity';

/** One point-in-time health check of one service; append-only, the highest `version` is the latest. */
@Entity({ name: 'service_health_snapshots' })
// Also answers "latest snapshot of a slug" with one backward index probe.
@Unique('service_health_snapshots_slug_version_key', ['serviceSlug', 'version'])
@Check('service_health_snapshots_status_check', `status IN ('healthy', 'degraded', 'unreachable')`)
// Lets retention find old rows without a full scan.
@Index('service_health_snapshots_checked_at_idx', ['checkedAt'])
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
