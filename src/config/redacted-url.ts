/**
 * `scheme://user:password@` in any text (a URL need not be valid: a bad value is redacted too).
 * The password runs to the last `@` of the word: an unencoded `@` in it is hidden too.
 */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/"']*):([^\s"']*)@/gi;

/**
 * `text` with the password of every URL in it replaced by `***`
 * (`postgres://admin:S3cret@db/x` → `postgres://admin:***@db/x`): for every message that may
 * quote `DATABASE_URL` or `REDIS_URL`.
 */
export function redactUrls(text: string): string {
  return text.replace(CREDENTIALS, '$1$2:***@');
}
