import { runCli } from '../support/cli';
import { freePort } from '../support/ports';

describe('CLI process behaviour', () => {
  it('prints help for every command and exits 0', async () => {
    const root = await runCli(['--help'], {});
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/migrate/);
    const migrate = await runCli(['migrate', '--help'], {});
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/Apply pending database migrations/);
  });

  it('exits non-zero on an unknown command or flag', async () => {
    const unknownCommand = await runCli(['frobnicate'], {});
    expect(unknownCommand.code).not.toBe(0);
    expect(unknownCommand.stderr).toMatch(/unknown command/i);
    const unknownFlag = await runCli(['migrate', '--frobnicate'], {});
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('exits non-zero with a one-line reason when the database is unreachable, and ends by itself', async () => {
    const port = await freePort();
    const result = await runCli(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing`, REDIS_URL: 'inline' }, 30_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
