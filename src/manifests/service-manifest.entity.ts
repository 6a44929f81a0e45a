import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { JsonObject } from '../database/json-object';

/** One version of one service's resolved manifest entry; append-only, `supersededAt` null = active. */
@Entity({ name: 'service_manifests' })
@Unique('service_manifests_module_version_slug_key', ['moduleId', 'moduleVersion', 'serviceSlug'])
@Check('service_manifests_module_version_check', 'module_version > 0')
@Index('service_manifests_active_slug_key', ['serviceSlug'], { unique: true, where: 'superseded_at IS NULL' })
@Index('service_manifests_active_module_idx', ['moduleId'], { where: 'superseded_at IS NULL' })
// The migration orders it (service_slug, module_version DESC); @Index cannot say DESC, and a
// backward scan of either order serves "newest versions of a slug".
@Index('service_manifests_slug_history_idx', ['serviceSlug', 'moduleVersion'])
export class ServiceManifestEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'service_manifests_pkey' })
  id!: string;

  @Column({ name: 'module_id', type: 'text' })
  moduleId!: string;

  @Column({ name: 'module_version', type: 'integer' })
  moduleVersion!: number;

  @Column({ name: 'service_slug', type: 'text' })
  serviceSlug!: string;

  @Column({ type: 'jsonb' })
  definition!: JsonObject;

  @Column({ type: 'text' })
  checksum!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}
