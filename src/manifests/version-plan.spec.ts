import { countPlan, planVersions } from './version-plan';

describe('planVersions', () => {
  const active = [
    { rowId: '1', key: 'kept', checksum: 'a' },
    { rowId: '2', key: 'edited', checksum: 'b' },
    { rowId: '3', key: 'dropped', checksum: 'c' },
  ];

  it('classifies each key as added, changed, unchanged or removed by checksum', () => {
    const planned = planVersions(
      [
        { key: 'kept', checksum: 'a', definition: 1 },
        { key: 'edited', checksum: 'B', definition: 2 },
        { key: 'new', checksum: 'd', definition: 3 },
      ],
      active,
    );
    expect(planned.map(({ key, action, active: row }) => ({ key, action, row: row?.rowId }))).toEqual([
      { key: 'kept', action: 'unchanged', row: '1' },
      { key: 'edited', action: 'changed', row: '2' },
      { key: 'new', action: 'added', row: undefined },
      { key: 'dropped', action: 'removed', row: '3' },
    ]);
    expect(countPlan(planned)).toEqual({ added: 1, changed: 1, unchanged: 1, removed: 1 });
  });

  it('plans nothing but unchanged items for an identical import', () => {
    const planned = planVersions(active.map(({ key, checksum }) => ({ key, checksum, definition: null })), active);
    expect(countPlan(planned)).toEqual({ added: 0, changed: 0, unchanged: 3, removed: 0 });
  });
});
