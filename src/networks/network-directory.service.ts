import { Injectable, NotFoundException } from '@nestjs/common';
import { JsonView } from '../registry-cache/json-view';
import { RegistryCache } from '../registry-cache/registry-cache';
import { NetworksQuery } from './networks.query';

/** Reads of the active service networks (with their members), cached per replica. */
@Injectable()
export class NetworkDirectory {
  constructor(
    private readonly cache: RegistryCache,
    private readonly source: NetworksQuery,
  ) {}

  /** `GET /service-networks` when its view is cached (a hit), else undefined. */
  cachedList(): JsonView | undefined {
    return this.cache.hit<JsonView>('networks:list');
  }

  /** `GET /service-networks`. */
  list(): Promise<JsonView> {
    return this.cache.get('networks:list', { kind: 'networks' }, async () => {
      const { index, networks } = await this.source.loadNetworks(null);
      return JsonView.of({ data: networks, meta: { total: networks.length } }, index);
    });
  }

  /** `GET /service-networks/:id`. */
  get(networkId: string): Promise<JsonView> {
    return this.cache.get(`networks:item:${networkId}`, { kind: 'network', id: networkId }, async () => {
      const { index, networks } = await this.source.loadNetworks(networkId);
      if (networks.length === 0) throw new NotFoundException(`service network '${networkId}' is not registered`);
      return JsonView.of({ data: networks[0] }, index);
    });
  }
}
