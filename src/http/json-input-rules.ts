import { FieldProblem } from './field-problem';
import { textProblem } from './request-text';

/** Deepest nesting of objects and arrays a request body may have, counting the body itself. */
export const MAX_JSON_DEPTH = 64;

/** More problems than this are not listed (a hostile body could hold thousands). */
const MAX_PROBLEMS = 20;

interface Pending {
  value: unknown;
  path: string;
  /** Objects and arrays around `value`. */
  depth: number;
}

/**
 * The rules every request body and query string obeys whatever its DTO says, checked by one
 * iterative walk before any recursive code (class-transformer, class-validator) sees it:
 * - at most MAX_JSON_DEPTH levels of objects and arrays (reported once, at the top-level field);
 * - string values are free text (see request-text.ts), keys are single-line text;
 * - no `__proto__` key at any depth (it would reach object prototypes in later copies);
 * - numbers are finite (JSON.parse turns 1e400 into Infinity, which would be stored as null).
 * Returns the problems found, each naming its field as a path (`metadata.tags[2]`).
 */
export function inspectJsonInput(input: unknown, maxDepth = MAX_JSON_DEPTH): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let depthReported = false;
  const pending: Pending[] = [{ value: input, path: '', depth: 0 }];
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value, 'free-text');
      if (problem) problems.push({ field: path || '(body)', problems: [problem] });
      continue;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) problems.push({ field: path || '(body)', problems: ['is a number out of range'] });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) {
      if (!depthReported) problems.push({ field: topLevelField(path), problems: [`nests deeper than ${maxDepth} levels of objects and arrays (the limit)`] });
      depthReported = true;
      continue;
    }
    const children: Pending[] = [];
    if (Array.isArray(value)) {
      value.forEach((item, index) => children.push({ value: item, path: `${path}[${index}]`, depth: depth + 1 }));
    } else {
      for (const key of Object.keys(value)) {
        const childPath = joinPath(path, key);
        const keyProblem = key === '__proto__' ? 'property __proto__ should not exist' : textProblem(key, 'single-line');
        if (keyProblem) {
          problems.push({ field: childPath, problems: [key === '__proto__' ? keyProblem : `key ${keyProblem}`] });
          continue;
        }
        children.push({ value: (value as Record<string, unknown>)[key], path: childPath, depth: depth + 1 });
      }
    }
    // Last in, first out: push in reverse so problems come in document order.
    for (let index = children.length - 1; index >= 0; index -= 1) pending.push(children[index]);
  }
  return problems;
}

/** `a.b`, `a[0]`, or `a["odd key"]` for keys that are not plain names (long ones cut short). */
export function joinPath(parent: string, key: string): string {
  if (key.length <= 60 && /^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  // JSON.stringify escapes C0 controls and lone surrogates; DEL and C1 controls too, here.
  const quoted = JSON.stringify(shown).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${parent}[${quoted}]`;
}

function topLevelField(path: string): string {
  return /^[^.[]+/.exec(path)?.[0] ?? (path.startsWith('[') ? path.slice(0, path.indexOf(']') + 1) : '(body)');
}
