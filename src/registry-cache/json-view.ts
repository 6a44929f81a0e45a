import { createHash } from 'node:crypto';

/**
 * A response body serialised once: the bytes, their strong ETag, and the registry index the
 * data was read at. A cached read sends these bytes as they are.
 */
export class JsonView {
  private constructor(
    readonly body: Buffer,
    readonly etag: string,
    readonly index: number,
  ) {}

  static of(value: unknown, index: number): JsonView {
    const body = Buffer.from(JSON.stringify(value));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    return new JsonView(body, etag, index);
  }
}
