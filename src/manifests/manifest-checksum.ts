import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth and no whitespace: the same value always
 * gives the same text, whatever order its keys were written in. `undefined` members are
 * dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return appendCanonical('', value);
}

/**
 * Appends the canonical JSON of `value` to `text`. One growing string rather than an array
 * of parts per object joined on the way up: an import checksums every entry of a module
 * (10,000 at a time), and the arrays were most of that garbage.
 */
function appendCanonical(text: string, value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot checksum the number ${value}`);
    return text + (JSON.stringify(value) ?? 'null');
  }
  if (Array.isArray(value)) {
    text += '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) text += ',';
      text = value[index] === undefined ? `${text}null` : appendCanonical(text, value[index]);
    }
    return `${text}]`;
  }
  const members = value as Record<string, unknown>;
  let separator = '{';
  for (const key of Object.keys(members).sort()) {
    const member = members[key];
    if (member === undefined) continue;
    text = appendCanonical(`${text}${separator}${JSON.stringify(key)}:`, member);
    separator = ',';
  }
  return separator === '{' ? `${text}{}` : `${text}}`;
}

/** sha256 (hex) of the canonical JSON of a resolved definition (one-shot `hash`: no Hash object per entry). */
export function manifestChecksum(definition: unknown): string {
  return hash('sha256', canonicalJson(definition), 'hex');
}
