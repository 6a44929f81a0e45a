/**
 * The value with its object keys in the order Postgres `jsonb` gives them back (shorter keys
 * first, then by code point), at every depth: the local store answers with the same bytes as
 * the shared tables for the same JSON.
 */
export function jsonbOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => jsonbOrder(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, member]) => [key, jsonbOrder(member)])) as T;
}
