import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { JsonObject } from '../database/json-object';

/** One version of a module written by an import (the module's version counter), with what it changed. */
@Entity({ name: 'module_versions' })
export class ModuleVersionEntity {
  @PrimaryColumn({ name: 'module_id', type: 'text' })
  moduleId!: string;

  @PrimaryColumn({ name: 'module_version', type: 'integer' })
  moduleVersion!: number;

  /** `{ services: { added, changed, unchanged, removed }, networks: { … } }`. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  summary!: JsonObject;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
