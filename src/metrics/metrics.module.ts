import { Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/**
 * The application's Prometheus registry (not prom-client's global one): one instance for the
 * whole application, since Nest builds a module's providers once however often it is imported.
 * Injected as `MetricsRegistry` by what registers text metrics, as prom-client's `Registry` by
 * the rest.
 */
@Module({
  providers: [
    {
      provide: MetricsRegistry,
      useFactory: () => {
        const registry = new MetricsRegistry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    { provide: Registry, useExisting: MetricsRegistry },
  ],
  exports: [MetricsRegistry, Registry],
})
export class MetricsModule {}
