import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HealthSnapshotRepository } from '../health/health-snapshot.repository';
import { RegistryCache } from '../registry-cache/registry-cache';
import { ServiceStatus } from '../services/service.entity';
import { ServiceDirectory } from '../services/service-directory.service';
import { renderStatusPage, StatusRow } from './status-page.renderer';
import { STATUS_PAGE_SCRIPT } from './status-page-script';

/** Checks per timeline: 30 minutes at the default 30 s interval. */
export const TIMELINE_CHECKS = 60;
export const STATUS_SCRIPT_PATH = '/status/live.js';

/** A page rendered once: its bytes, their strong ETag and the registry index it shows. */
export interface RenderedPage {
  body: Buffer;
  etag: string;
  index: number;
}

export interface StatusFilters {
  module: string | null;
  status: ServiceStatus | null;
}

/**
 * The status page: the services dataset (the same cached read as `GET /services`) and each
 * service's recent checks, rendered to HTML once per registry change and filter combination
 * (a `registry` entry of the replica cache: every write drops it).
 */
@Injectable()
export class StatusPage {
  readonly script = rendered(STATUS_PAGE_SCRIPT, 0);

  constructor(
    private readonly cache: RegistryCache,
    private readonly directory: ServiceDirectory,
    private readonly snapshots: HealthSnapshotRepository,
  ) {}

  render(filters: StatusFilters): Promise<RenderedPage> {
    return this.cache.get(`status:page:${JSON.stringify([filters.module, filters.status])}`, { kind: 'registry' }, async () => {
      const dataset = await this.directory.dataset();
      const timelines = await this.snapshots.recentChecks(TIMELINE_CHECKS);
      const rows: StatusRow[] = dataset.services
        .filter((service) => filters.module === null || service.moduleIds.includes(filters.module))
        .filter((service) => filters.status === null || service.view.status === filters.status)
        .map(({ view }) => ({
          slug: view.slug,
          displayName: view.displayName,
          moduleId: view.moduleId,
          status: view.status,
          observedStatus: view.health?.observedStatus ?? null,
          statusMessage: view.health?.statusMessage ?? view.statusMessage,
          since: view.health?.since ?? null,
          latencyMs: view.health?.latencyMs ?? null,
          checkedAt: view.health?.checkedAt ?? null,
          consecutiveFailures: view.health?.consecutiveFailures ?? 0,
          consecutiveSuccesses: view.health?.consecutiveSuccesses ?? 0,
          flapping: view.health?.flapping ?? false,
          timeline: timelines.get(view.slug) ?? [],
        }));
      const modules = [...new Set(dataset.services.flatMap((service) => service.moduleIds))].sort();
      const html = renderStatusPage({ index: dataset.index, rows, modules, filters, timelineLength: TIMELINE_CHECKS, scriptPath: STATUS_SCRIPT_PATH });
      return rendered(html, dataset.index);
    });
  }
}

function rendered(text: string, index: number): RenderedPage {
  const body = Buffer.from(text);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`, index };
}
