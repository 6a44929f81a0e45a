import { Check, Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { ServiceNetworkMemberEntity } from './service-network-member.entity';
import { JsonObject } from '../database/json-object';

/** One version of one service network; versioned like manifests, `supersededAt` null = active. */
@Entity({ name: 'service_networks' })
@Unique('service_networks_module_version_network_key', ['moduleId', 'moduleVersion', 'networkId'])
@Check('service_networks_module_version_check', 'module_version > 0')
@Index('service_networks_active_network_key', ['networkId'], { unique: true, where: 'superseded_at IS NULL' })
@Index('service_networks_active_module_idx', ['moduleId'], { where: 'superseded_at IS NULL' })
export class ServiceNetworkEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'service_networks_pkey' })
  id!: string;

  @Column({ name: 'network_id', type: 'text' })
  networkId!: string;

  @Column({ name: 'module_id', type: 'text' })
  moduleId!: string;

  @Column({ name: 'module_version', type: 'integer' })
  moduleVersion!: number;

  @Column({ type: 'text' })
  name!: string;

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

  @OneToMany(() => ServiceNetworkMemberEntity, (member) => member.network)
  members?: ServiceNetworkMemberEntity[];
}
