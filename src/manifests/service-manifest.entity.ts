import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { JsonObject } from '../database/json-object';

/** One version of one service's resolved manifest entry; append-only, `supersededAt` null = active. */
@Entity({ name: 'service_manifests' })
export class ServiceManifestEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
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
