/**
 * What text the API stores. Postgres refuses NUL in `text` and `\u0000` in `jsonb` outright,
 * and a lone UTF-16 surrogate cannot be stored at all (`jsonb` refuses its escape; a `text`
 * column would silently get U+FFFD), so neither is ever accepted. Other control characters
 * (Unicode category Cc: U+0001–U+001F, U+007F–U+009F) have no business in names, URLs or
 * keys; free text (a status message, the string values inside `capabilities` and
 * `metadata`) may hold tab, line feed and carriage return, which JSON carries as `\t`, `\n`
 * and `\r`, and nothing else of them.
 */
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\p{Cs}]/u;
const FREE_TEXT_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Cs}]/u;

export type TextKind = 'single-line' | 'free-text';

/** Why a string may not be stored as text of this kind, or null if it may. */
export function textProblem(value: string, kind: TextKind): string | null {
  const match = (kind === 'single-line' ? SINGLE_LINE_FORBIDDEN : FREE_TEXT_FORBIDDEN).exec(value);
  if (!match) return null;
  const found = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at character ${match.index + 1}`;
  if (/\p{Cs}/u.test(match[0])) return `must be well-formed Unicode text (found the lone surrogate ${found})`;
  return kind === 'single-line'
    ? `must not contain control characters (found ${found})`
    : `must not contain control characters other than tab, line feed and carriage return (found ${found})`;
}
