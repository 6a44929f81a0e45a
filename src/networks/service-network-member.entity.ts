import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { JsonObject } from '../database/json-object';
import type { ServiceNetworkEntity } from './service-network.entity';

/** A member service of one network version. */
@Entity({ name: 'service_network_members' })
@Unique('service_network_members_network_slug_key', ['serviceNetworkId', 'serviceSlug'])
@Index('service_network_members_slug_idx', ['serviceSlug'])
export class ServiceNetworkMemberEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'service_network_members_pkey' })
  id!: string;

  @Column({ name: 'service_network_id', type: 'bigint' })
  serviceNetworkId!: string;

  @ManyToOne('ServiceNetworkEntity', 'members', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'service_network_id', foreignKeyConstraintName: 'service_network_members_service_network_id_fkey' })
  network?: ServiceNetworkEntity;

  @Column({ name: 'service_slug', type: 'text' })
  serviceSlug!: string;

  @Column({ name: 'launch_order', type: 'integer' })
  launchOrder!: number;

  @Column({ name: 'wait_for_build', type: 'boolean', default: false })
  waitForBuild!: boolean;

  @Column({ name: 'depends_on', type: 'jsonb', default: [] })
  dependsOn!: string[];

  @Column({ name: 'env_vars', type: 'jsonb', default: [] })
  envVars!: JsonObject[];
}
