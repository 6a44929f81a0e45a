import { Module } from '@nestjs/common';
import { NetworkDirectory } from './network-directory.service';
import { NetworksController } from './networks.controller';

/** The read API of service networks (`/service-networks`). */
@Module({
  controllers: [NetworksController],
  providers: [NetworkDirectory],
})
export class NetworksApiModule {}
