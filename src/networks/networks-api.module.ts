import { Module } from '@nestjs/common';
import { RegistryCacheModule } from '../registry-cache/registry-cache.module';
import { NetworkDirectory } from './network-directory.service';
import { NetworksController } from './networks.controller';
import { NetworksQuery } from './networks.query';

/** The read API of service networks (`/service-networks`). */
@Module({
  imports: [RegistryCacheModule],
  controllers: [NetworksController],
  providers: [NetworkDirectory, NetworksQuery],
})
export class NetworksApiModule {}
