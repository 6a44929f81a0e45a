import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HealthSnapshotRepository } from '../health/health-snapshot.repository';
import { ServiceStatus } from '../services/service.entity';
import { ServiceDirectory } from '../services/service-directory.service';
import { ServicesDataset } from '../services/service-view';
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

/** Most filter combinations whose page a replica keeps. */
const MAX_PAGES = 200;

/**
 * The status page: the services dataset (the same cached read as `GET /services`) and each
 * service's recent checks, rendered to HTML once per registry index and filter combination.
 * A page is kept with the index of the dataset it was built from and rebuilt when the dataset
 * has moved on, however the dataset learned of the change (an invalidation, or a health batch
 * patching it in place), so it never lags behind `/services`.
 */
@Injectable()
export class StatusPage {
  readonly script = rendered(STATUS_PAGE_SCRIPT, 0);
  private readonly pages = new Map<string, RenderedPage>();
  private readonly builds = new Map<string, { index: number; page: Promise<RenderedPage> }>();

  constructor(
    private readonly directory: ServiceDirectory,
    private readonly snapshots: HealthSnapshotRepository,
  ) {}

  async render(filters: StatusFilters): Promise<RenderedPage> {
    const dataset = await this.directory.dataset();
    const key = JSON.stringify([filters.module, filters.status]);
    const kept = this.pages.get(key);
    if (kept && kept.index >= dataset.index) return kept;
    const pending = this.builds.get(key);
    if (pending && pending.index >= dataset.index) return pending.page;
    const page = this.build(dataset, filters).finally(() => {
      if (this.builds.get(key)?.page === page) this.builds.delete(key);
    });
    this.builds.set(key, { index: dataset.index, page });
    const built = await page;
    if ((this.pages.get(key)?.index ?? -1) <= built.index) this.keep(key, built);
    return built;
  }

  private async build(dataset: ServicesDataset, filters: StatusFilters): Promise<RenderedPage> {
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
  }

  /** Keeps at most `MAX_PAGES` pages (filter values are client input); the oldest goes first. */
  private keep(key: string, page: RenderedPage): void {
    this.pages.delete(key);
    this.pages.set(key, page);
    while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
  }
}

function rendered(text: string, index: number): RenderedPage {
  const body = Buffer.from(text);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`, index };
}
