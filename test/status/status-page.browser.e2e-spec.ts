import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

/** Debian's package (`apt-get install -y chromium`; .ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Ignored by git (.gitignore): the screenshot a reader of the test run can look at. */
export const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'status-page.png');
const MODULE_ID = 'status-demo';

/**
 * The status page in a real browser (headless Chromium driven by playwright-core), against a
 * real registry process that imported a module with the CLI and polls stub targets.
 */
describe('GET /status in a browser', () => {
  let database: TestDatabase;
  let targets: StubTargets;
  let app: AppProcess;
  let moduleDir: string;
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];

  /** A browser with a new empty profile. */
  async function browser(options: { javaScriptEnabled: boolean }): Promise<BrowserContext> {
    const profile = await mkdtemp(join(tmpdir(), 'status-page-chromium-'));
    profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      javaScriptEnabled: options.javaScriptEnabled,
      viewport: { width: 1280, height: 720 },
    });
    contexts.push(context);
    return context;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's package (apt-get update && apt-get install -y chromium); .ci/run does`);
    }
    database = await TestDatabase.migrated();
    targets = await StubTargets.start();
    targets.script('status-api', ['ok']);
    targets.script('status-worker', ['ok']);
    moduleDir = await mkdtemp(join(tmpdir(), 'status-page-module-'));
    const manifest = {
      services: [
        { slug: 'status-api', displayName: 'Status API', kind: 'api', baseUrl: `${targets.url}/script/status-api` },
        { slug: 'status-worker', displayName: 'Status Worker', kind: 'worker', baseUrl: `${targets.url}/script/status-worker`, health: { failuresBeforeUnhealthy: 5 } },
      ],
    };
    await writeFile(join(moduleDir, 'service-manifest.json'), JSON.stringify(manifest));
    const backfill = await runCli(['backfill', '--path', moduleDir, '--module', MODULE_ID], { DATABASE_URL: database.url, REDIS_URL: 'inline' });
    expect(backfill).toMatchObject({ code: 0 });
    app = await AppProcess.start({ env: { DATABASE_URL: database.url, SERVICE_HEALTH_INTERVAL_MS: '500', SERVICE_HEALTH_TIMEOUT_MS: '3000' } });
    // A few checks of each, so the timelines have cells.
    await eventually(async () => {
      const rows = await database.query<{ service_slug: string; checks: number }>(
        `SELECT service_slug, count(*)::int AS checks FROM service_health_snapshots GROUP BY service_slug ORDER BY service_slug`,
      );
      expect(rows.map((row) => [row.service_slug, row.checks >= 3])).toEqual([
        ['status-api', true],
        ['status-worker', true],
      ]);
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    for (const profile of profiles) await rm(profile, { recursive: true, force: true });
    await app?.stop();
    await targets?.stop();
    await database?.drop();
    if (moduleDir) await rm(moduleDir, { recursive: true, force: true });
  });

  it('is readable without JavaScript: every imported service with its status, module and timeline; filters are plain GET forms', async () => {
    const page = await (await browser({ javaScriptEnabled: false })).newPage();
    const response = await page.goto(`${app.url}/status`);
    expect(response?.status()).toBe(200);
    for (const slug of ['status-api', 'status-worker']) {
      const row = page.locator(`#service-${slug}`);
      await expect(row.getAttribute('data-status')).resolves.toBe('healthy');
      expect(await row.locator('td').first().textContent()).toBe(MODULE_ID);
      expect(await row.locator('.timeline .cell.healthy').count()).toBeGreaterThanOrEqual(3);
      expect(await row.locator(`a[href="/services/${slug}/health"]`).count()).toBe(1);
    }
    await page.selectOption('select[name="status"]', 'unreachable');
    await Promise.all([page.waitForURL(/status=unreachable/), page.click('button[type="submit"]')]);
    expect(await page.locator('tbody tr').count()).toBe(0);
    expect(await page.textContent('main')).toContain('No service matches.');
  });

  it('shows a change of status without a reload, through the watch API', async () => {
    const page = await (await browser({ javaScriptEnabled: true })).newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname + new URL(request.url()).search));
    await page.goto(`${app.url}/status`);
    await page.waitForSelector('#live:not([hidden])');
    expect(await page.textContent('#live')).toContain('Live');
    await page.evaluate(() => Object.assign(globalThis, { loadedOnce: true }));
    expect(await page.getAttribute('#service-status-api', 'data-status')).toBe('healthy');

    targets.script('status-api', ['fail']);
    // Three failures in a row (the default threshold) turn it degraded; the page follows.
    await page.waitForSelector('#service-status-api[data-status="degraded"]', { timeout: 120_000 });
    expect(await page.textContent('#service-status-api .badge')).toBe('degraded');
    expect(await page.locator('#service-status-api .timeline .cell.degraded').count()).toBeGreaterThanOrEqual(3);
    // It learned of the change from the watch API, then re-read the page in the background.
    expect(requested.some((url) => /^\/services\?index=\d+&wait=60s$/.test(url))).toBe(true);
    expect(requested.filter((url) => url === '/status').length).toBeGreaterThanOrEqual(2);
    // The same document all along: no navigation happened.
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    // The worker tolerates 5 failures (its manifest's health.failuresBeforeUnhealthy): still healthy.
    expect(await page.getAttribute('#service-status-worker', 'data-status')).toBe('healthy');

    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
