import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ServiceNetworkEntity } from './service-network.entity';
import { JsonObject } from '../database/json-object';

/** A member service of one network version. */
@Entity({ name: 'service_network_members' })
export class ServiceNetworkMemberEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'service_network_id', type: 'bigint' })
  serviceNetworkId!: string;

  @ManyToOne('ServiceNetworkEntity', 'members', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'service_network_id' })
  network?: ServiceNetworkEntity;

  @Column({ name: 'service_slug', type: 'text' })
  serviceSlug!: string;

  @Column({ name: 'launch_order', type: 'integer' })
  launchOrder!: number;

  @Column({ name: 'wait_for_build', type: 'boolean', default: false })
  waitForBuild!: boolean;

  @Column({ name: 'depends_on', type: 'jsonb', default: () => "'[]'::jsonb" })
  dependsOn!: string[];

  @Column({ name: 'env_vars', type: 'jsonb', default: () => "'[]'::jsonb" })
  envVars!: JsonObject[];
}
