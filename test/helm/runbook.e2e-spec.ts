import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureHelm, render, RenderedChart, template } from '../support/helm';

const RUNBOOK = readFileSync(join(__dirname, '..', '..', 'docs', 'runbook.md'), 'utf8');

/** The runbook's shell commands, with `\`-continued lines joined. */
function commands(): string[] {
  const indented = RUNBOOK.split('\n')
    .filter((line) => line.startsWith('    '))
    .map((line) => line.slice(4));
  return indented
    .join('\n')
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim());
}

/** The `--set key=value` pairs of a helm command (`$TOKEN` stands for a token). */
function setValues(command: string): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const [, key, raw] of command.matchAll(/--set ([\w.]+)=(\S+)/g)) {
    const value = raw.replace(/^"\$TOKEN"$/, 'runbook-token');
    values[key] = value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
  }
  return values;
}

const KIND_OF: Record<string, string> = {
  deploy: 'Deployment',
  svc: 'Service',
  statefulset: 'StatefulSet',
  job: 'Job',
  secret: 'Secret',
  configmap: 'ConfigMap',
};

beforeAll(ensureHelm, 60_000);

describe('the runbook against the chart', () => {
  it('installs, scales, upgrades and flips the rollback flag with values the chart renders', async () => {
    const helmCommands = commands().filter((line) => /^helm (install|upgrade) core-api helm\/core-api/.test(line));
    expect(helmCommands.length).toBeGreaterThanOrEqual(5);
    expect(helmCommands[0]).toMatch(/^helm install/);

    let release: Record<string, string | number | boolean> = {};
    for (const command of helmCommands) {
      // install starts from the chart defaults; --reset-then-reuse-values keeps what the release had.
      if (command.startsWith('helm upgrade')) expect(command).toContain('--reset-then-reuse-values');
      release = command.startsWith('helm install') ? setValues(command) : { ...release, ...setValues(command) };
      const result = await template(release);
      expect({ command, code: result.code, stderr: result.stderr }).toEqual({ command, code: 0, stderr: '' });
    }
  });

  it('names only objects and labels the chart creates', async () => {
    const install = commands().find((line) => line.startsWith('helm install core-api helm/core-api'))!;
    const installed = await render(setValues(install));
    // The migration Job and its Secret exist during upgrades (and before installs with an external database).
    const upgraded = await render({ 'database.url': 'postgres://u:p@db:5432/registry' });
    const has = (chart: RenderedChart, kind: string, name: string) => chart.find(kind, name) !== undefined;

    const references = [
      ...RUNBOOK.matchAll(/kubectl [^\n`]*?\b(deploy|svc|statefulset|job|secret|configmap)[/ ]([a-z0-9-]+)/g),
      ...RUNBOOK.matchAll(/\b(job|secret)\/(core-api[a-z0-9-]*)/g),
    ].map(([, kind, name]) => `${KIND_OF[kind]}/${name}`);
    expect(references.length).toBeGreaterThan(10);
    const missing = [...new Set(references)].filter((reference) => {
      const [kind, name] = reference.split('/');
      return !has(installed, kind, name) && !has(upgraded, kind, name);
    });
    expect(missing).toEqual([]);

    const podLabels = {
      api: installed.get('Deployment', 'core-api').spec.template.metadata.labels,
      migrate: upgraded.get('Job', 'core-api-migrate').spec.template.metadata.labels,
    };
    const selectors = [...RUNBOOK.matchAll(/kubectl [^\n`]*-l ([^\s`]+)/g)].map(([, selector]) => selector);
    expect(selectors.length).toBeGreaterThanOrEqual(2);
    for (const selector of selectors) {
      const pairs = selector.split(',').map((pair) => pair.split('='));
      const matching = Object.entries(podLabels).filter(([, labels]) => pairs.every(([key, value]) => labels[key] === value));
      expect({ selector, matches: matching.length }).toEqual({ selector, matches: 1 });
    }
  });

  it('quotes the SPEC queries verbatim', () => {
    for (const query of [
      'select service_slug, module_id, module_version from service_manifests where superseded_at is null order by service_slug;',
      'select module_id, service_slug, checksum from service_manifests where superseded_at is null order by module_id, service_slug;',
      "select status, latency_ms, checked_at from service_health_snapshots where service_slug = 'observatory-dashboard' order by version desc limit 1;",
    ]) {
      expect(RUNBOOK).toContain(query);
    }
  });
});
