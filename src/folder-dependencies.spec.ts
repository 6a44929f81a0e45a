import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = __dirname;

/** Every non-spec TypeScript file under src/. */
function sourceFiles(directory = SRC): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The unit a file belongs to: its top-level folder under src/, or the file itself at the top. */
function unitOf(file: string): string {
  const [first, ...rest] = relative(SRC, file).split('/');
  return rest.length > 0 ? `${first}/` : first.replace(/\.ts$/, '');
}

/** unit → the units its files import (relative imports only). */
function dependencyGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles()) {
    const from = unitOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = unitOf(resolve(dirname(file), `${specifier}.ts`));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle of the graph as `a → b → a`, or null. */
function findCycle(graph: Map<string, Set<string>>): string | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (unit: string): string | null => {
    if (state.get(unit) === 'done') return null;
    if (state.get(unit) === 'visiting') return [...path.slice(path.indexOf(unit)), unit].join(' → ');
    state.set(unit, 'visiting');
    path.push(unit);
    for (const next of graph.get(unit) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(unit, 'done');
    return null;
  };
  for (const unit of graph.keys()) {
    const cycle = visit(unit);
    if (cycle) return cycle;
  }
  return null;
}

describe('folder dependencies under src/', () => {
  it('have no cycle: each folder imports only folders below it', () => {
    expect(findCycle(dependencyGraph())).toBeNull();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a/', new Set(['b/'])],
      ['b/', new Set(['c/'])],
      ['c/', new Set(['a/'])],
    ]);
    expect(findCycle(graph)).toBe('a/ → b/ → c/ → a/');
  });
});
