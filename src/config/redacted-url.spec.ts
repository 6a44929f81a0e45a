import { redactUrls } from './redacted-url';

describe('redactUrls', () => {
  it('hides the password of a URL, keeping the user, host and path', () => {
    expect(redactUrls('postgres://admin:S3cret@db.example:5432/registry')).toBe('postgres://admin:***@db.example:5432/registry');
  });

  it('hides the password of an invalid URL inside a message', () => {
    expect(redactUrls('DATABASE_URL="postgres://admin:S3cret@db host/x" must be a URL')).toBe('DATABASE_URL="postgres://admin:***@db host/x" must be a URL');
  });

  it('hides a password-only Redis URL and every URL of a line', () => {
    expect(redactUrls('redis://:p@ss@127.0.0.1:6379 and rediss://u:v@h')).toBe('redis://:***@127.0.0.1:6379 and rediss://u:***@h');
  });

  it('leaves URLs without a password alone', () => {
    expect(redactUrls('postgres://postgres@127.0.0.1:5432/postgres redis://127.0.0.1:6379')).toBe('postgres://postgres@127.0.0.1:5432/postgres redis://127.0.0.1:6379');
  });
});
