import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canSearch, unreachableAncestor } from './path-access';

describe('path access for another account', () => {
  it('reads the owner, group and other search bits as Unix does', () => {
    const account = { uid: 101, gids: [104] };
    expect(canSearch(0o700, 0, 0, account)).toBe(false);
    expect(canSearch(0o711, 0, 0, account)).toBe(true);
    expect(canSearch(0o710, 0, 104, account)).toBe(true);
    expect(canSearch(0o701, 0, 104, account)).toBe(false);
    expect(canSearch(0o100, 101, 0, account)).toBe(true);
    expect(canSearch(0o000, 0, 0, { uid: 0, gids: [] })).toBe(true);
  });

  it('names the first folder on the way that shuts the account out, and none once it is opened', () => {
    const root = mkdtempSync(join(tmpdir(), 'path-access-'));
    try {
      chmodSync(root, 0o755);
      const closed = join(root, 'closed');
      mkdirSync(join(closed, 'inner'), { recursive: true });
      chmodSync(closed, 0o700);
      const stranger = { uid: 54321, gids: [54321] };
      expect(unreachableAncestor(join(closed, 'inner', 'data'), stranger)).toBe(closed);
      chmodSync(closed, 0o711);
      expect(unreachableAncestor(join(closed, 'inner', 'data'), stranger)).toBeNull();
      // Folders still to be created are not in the way.
      expect(unreachableAncestor(join(root, 'not-yet', 'data'), stranger)).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
