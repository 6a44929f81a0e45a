import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { JsonObject } from '../database/json-object';

/** One version of a module written by an import (the module's version counter), with what it changed. */
@Entity({ name: 'module_versions' })
@Check('module_versions_module_version_check', 'module_version > 0')
export class ModuleVersionEntity {
  @PrimaryColumn({ name: 'module_id', type: 'text', primaryKeyConstraintName: 'module_versions_pkey' })
  moduleId!: string;

  @PrimaryColumn({ name: 'module_version', type: 'integer', primaryKeyConstraintName: 'module_versions_pkey' })
  moduleVersion!: number;

  /** `{ services: { added, changed, unchanged, removed }, networks: { … } }`. */
  @Column({ type: 'jsonb', default: {} })
  summary!: JsonObject;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
