export type PlanAction = 'added' | 'changed' | 'unchanged' | 'removed';

export interface ActiveVersion {
  /** `service_manifests.id` / `service_networks.id` of the active row. */
  rowId: string;
  key: string;
  checksum: string;
}

export interface PlannedItem<T> {
  key: string;
  action: PlanAction;
  /** The new definition and its checksum (absent for removed items). */
  incoming?: { checksum: string; definition: T };
  /** The active row this item supersedes or keeps (absent for added items). */
  active?: ActiveVersion;
}

export interface PlanCounts {
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
}

/**
 * Compares a module's incoming definitions (by key: slug or network id) with its active
 * rows: same checksum = unchanged, different = changed, new key = added, key no longer
 * declared = removed. Shared by service manifests and networks, which version alike.
 */
export function planVersions<T>(incoming: { key: string; checksum: string; definition: T }[], active: ActiveVersion[]): PlannedItem<T>[] {
  const activeByKey = new Map(active.map((row) => [row.key, row]));
  const declared = new Set(incoming.map((item) => item.key));
  const planned: PlannedItem<T>[] = incoming.map(({ key, checksum, definition }) => {
    const current = activeByKey.get(key);
    const action: PlanAction = !current ? 'added' : current.checksum === checksum ? 'unchanged' : 'changed';
    return { key, action, incoming: { checksum, definition }, active: current };
  });
  for (const row of active) if (!declared.has(row.key)) planned.push({ key: row.key, action: 'removed', active: row });
  return planned;
}

export function countPlan(planned: PlannedItem<unknown>[]): PlanCounts {
  const counts: PlanCounts = { added: 0, changed: 0, unchanged: 0, removed: 0 };
  for (const item of planned) counts[item.action] += 1;
  return counts;
}

/** Items that need a new versioned row. */
export function needsNewRow<T>(item: PlannedItem<T>): item is PlannedItem<T> & { incoming: { checksum: string; definition: T } } {
  return item.action === 'added' || item.action === 'changed';
}

/** Items whose active row gets `superseded_at`. */
export function supersedes<T>(item: PlannedItem<T>): item is PlannedItem<T> & { active: ActiveVersion } {
  return item.action === 'changed' || item.action === 'removed';
}
