import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv } from '../support/app-process';
import { testEnv } from '../support/environment';

const ROOT = join(__dirname, '..', '..');

describe('npm run smoke:replicas (the runbook validation on one machine)', () => {
  it('passes against the test Postgres and Redis and prints each check', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'scripts', 'smoke-replicas.mjs')],
        {
          cwd: ROOT,
          env: cleanEnv({ DATABASE_URL: testEnv('postgresAdminUrl'), REDIS_URL: testEnv('redisUrl'), REGISTRY_DIST: process.env.REGISTRY_DIST }),
          timeout: 120_000,
        },
        (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok {3}backfill: Module observatory@1: 2 services \(2 added/m);
    expect(stdout).toMatch(/^ok {3}\/services byte-identical on A and B \(2 services/m);
    expect(stdout).toMatch(/^ok {3}health check on A \(\w+, version 1\) visible on B/m);
    expect(stdout).toMatch(/^ok {3}PATCH on A visible on B/m);
    expect(stdout).toMatch(/^smoke:replicas passed$/m);
  });
});
