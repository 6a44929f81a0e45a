import { statSync } from 'node:fs';
import { dirname, parse } from 'node:path';

export interface Account {
  uid: number;
  gids: number[];
}

/**
 * The first existing folder on the way to `path` (an absolute path, `/` included) that
 * `account` may not enter (no search permission for it), or null when it can reach `path`.
 * Folders that do not exist yet are left out: whoever creates them decides their mode.
 */
export function unreachableAncestor(path: string, account: Account): string | null {
  const folders: string[] = [];
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (folder === parse(folder).root) break;
  }
  for (const folder of folders) {
    let stats;
    try {
      stats = statSync(folder);
    } catch {
      return null;
    }
    if (!canSearch(stats.mode, stats.uid, stats.gid, account)) return folder;
  }
  return null;
}

/** Whether the execute (search) bit applies to `account` for a folder of this mode and owner. */
export function canSearch(mode: number, owner: number, group: number, account: Account): boolean {
  if (account.uid === 0) return true;
  if (owner === account.uid) return (mode & 0o100) !== 0;
  if (account.gids.includes(group)) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}
