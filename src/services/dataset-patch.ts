import { PatchBatchEntry } from '../registry-cache/registry-cache';
import { RegistryService, ServicesDataset, ServiceView } from './service-view';

/**
 * Applies writes' upserts to a cached dataset in place: each upserted service replaces its
 * entry (or joins the list at its slug's place). An upsert the dataset already holds (its
 * write's index is not above the index the dataset was read at) or one older than the last
 * applied to its slug is skipped, so messages arriving late or twice change nothing. Returns
 * the slugs that changed.
 */
export function patchDataset(dataset: ServicesDataset, batch: PatchBatchEntry[]): string[] {
  const changed: string[] = [];
  for (const { index, upserts } of batch) {
    if (index !== undefined && index <= dataset.readIndex) continue;
    for (const upsert of upserts) {
      const slug = upsert.view.slug;
      if (index !== undefined) {
        if (index < (dataset.patchedAt.get(slug) ?? 0)) continue;
        dataset.patchedAt.set(slug, index);
      }
      // A copy: the message's own object stays as it was sent.
      const service: RegistryService = { view: upsert.view as unknown as ServiceView, moduleIds: [...upsert.moduleIds] };
      const position = positionOf(dataset.services, slug);
      if (dataset.bySlug.has(slug)) dataset.services[position] = service;
      else dataset.services.splice(position, 0, service);
      dataset.bySlug.set(slug, service);
      changed.push(slug);
    }
    if (index !== undefined && index > dataset.index) dataset.index = index;
  }
  return changed;
}

/** Where `slug` is, or would go, in services sorted by slug (code-unit order). */
function positionOf(services: RegistryService[], slug: string): number {
  let low = 0;
  let high = services.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (services[middle].view.slug < slug) low = middle + 1;
    else high = middle;
  }
  return low;
}
