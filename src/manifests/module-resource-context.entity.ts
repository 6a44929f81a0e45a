import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { JsonObject } from '../database/json-object';

export const MODULE_RESOURCE_TYPES = ['service', 'network'] as const;
export type ModuleResourceType = (typeof MODULE_RESOURCE_TYPES)[number];

/** Which resource (service slug, network id) belongs to which module; drives `?moduleId=`. */
@Entity({ name: 'module_resource_contexts' })
@Unique('module_resource_contexts_key', ['moduleId', 'resourceType', 'resourceId'])
@Check('module_resource_contexts_type_check', `resource_type IN ('service', 'network')`)
@Index('module_resource_contexts_resource_idx', ['resourceType', 'resourceId'])
export class ModuleResourceContextEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'module_resource_contexts_pkey' })
  id!: string;

  @Column({ name: 'module_id', type: 'text' })
  moduleId!: string;

  @Column({ name: 'resource_type', type: 'text' })
  resourceType!: ModuleResourceType;

  @Column({ name: 'resource_id', type: 'text' })
  resourceId!: string;

  @Column({ type: 'jsonb', default: {} })
  metadata!: JsonObject;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
