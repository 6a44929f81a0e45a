import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { registryConfig } from '../config/configuration';

/** Tells the operator at start what local state means: this process only, one replica. */
@Injectable()
export class LocalStateNotice implements OnApplicationBootstrap {
  constructor(@Inject(registryConfig.KEY) private readonly config: ConfigType<typeof registryConfig>) {}

  onApplicationBootstrap(): void {
    const mirrored = this.config.dualWrite ? '; API writes are mirrored to the shared tables when Postgres is reachable' : '';
    new Logger('LocalState').warn(
      `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0: the registry keeps its state in this process only (shared tables and Redis are not used${mirrored}). ` +
        'Run exactly one replica: replicas would not see each other\'s writes.',
    );
  }
}
