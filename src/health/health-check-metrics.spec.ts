import { MetricsRegistry } from '../metrics/metrics-registry';
import { HealthCheckMetrics } from './health-check-metrics';
import { HealthSnapshotRepository } from './health-snapshot.repository';

describe('HealthCheckMetrics: the per-service status gauge', () => {
  const statuses = [
    { slug: 'billing', moduleId: 'github.com/apphub/billing', status: 'healthy' },
    { slug: 'search', moduleId: null, status: 'degraded' },
  ];

  it('reports every service at each scrape, and reports the last statuses while the database is away', async () => {
    let databaseAway = false;
    const snapshots = { currentStatuses: async () => (databaseAway ? Promise.reject(new Error('connection refused')) : statuses) };
    const registry = new MetricsRegistry();
    new HealthCheckMetrics(registry, snapshots as unknown as HealthSnapshotRepository);

    const expected = [
      'service_registry_service_status{slug="billing",module="github.com/apphub/billing",status="healthy"} 1',
      'service_registry_service_status{slug="billing",module="github.com/apphub/billing",status="degraded"} 0',
      'service_registry_service_status{slug="search",module="",status="degraded"} 1',
    ];
    const first = await registry.metrics();
    for (const line of expected) expect(first).toContain(line);

    databaseAway = true;
    const second = await registry.metrics();
    for (const line of expected) expect(second).toContain(line);
  });
});
