import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnvironment } from '../../src/config/environment';
import { CHART, ensureHelm, helm, Manifest, render, RenderedChart, setFlags } from '../support/helm';

const DATABASE_URL = 'postgres://registry:s3cret@db.internal:5432/registry';
const REDIS_URL = 'redis://redis.internal:6379';

/** The scenarios the runbook and the README describe, as `--set` values. */
const SCENARIOS = {
  externalDatabase: { 'database.url': DATABASE_URL, registryToken: 'token-1' },
  twoReplicas: { 'database.url': DATABASE_URL, replicaCount: 2, 'redis.url': REDIS_URL },
  inChartDatabases: { 'postgresql.enabled': true, 'redis.enabled': true, replicaCount: 2 },
  rollback: { 'database.url': DATABASE_URL, 'flags.useSharedState': false, 'config.serviceManifestPaths': 'modules/observatory/dist' },
  existingSecret: {
    existingSecret: 'registry-credentials',
    'existingSecretKeys.databaseUrl': 'pg-url',
    'existingSecretKeys.registryToken': 'write-token',
  },
};

/** The variables of the README's configuration table. */
function readmeVariables(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]);
}

function container(workload: Manifest, name: string): Manifest {
  const found = workload.spec.template.spec.containers.find((candidate: Manifest) => candidate.name === name);
  if (!found) throw new Error(`${workload.kind}/${workload.metadata.name} has no container ${name}`);
  return found;
}

/** `{ NAME: "value" | "secret:<secret>/<key>" }` for a container's explicit env. */
function envOf(workloadContainer: Manifest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of workloadContainer.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    env[entry.name] = ref ? `secret:${ref.name}/${ref.key}` : entry.value;
  }
  return env;
}

/** The value a secretKeyRef resolves to, in a Secret the chart renders. */
function secretValue(chart: RenderedChart, reference: string): string {
  const [name, key] = reference.replace(/^secret:/, '').split('/');
  const secret = chart.get('Secret', name);
  expect(secret.stringData).toHaveProperty([key]);
  return secret.stringData[key];
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

beforeAll(ensureHelm, 60_000);

describe('helm lint --strict', () => {
  it('passes with the default values and with every documented scenario', async () => {
    const lints = [[], ...Object.values(SCENARIOS).map((values) => setFlags(values))];
    for (const flags of lints) {
      const result = await helm(['lint', '--strict', CHART, ...flags]);
      expect({ flags, code: result.code, output: result.stdout + result.stderr }).toEqual({
        flags,
        code: 0,
        output: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed'),
      });
    }
  });
});

describe('helm template with an external database (defaults otherwise)', () => {
  let chart: RenderedChart;
  let deployment: Manifest;
  let api: Manifest;

  beforeAll(async () => {
    chart = await render(SCENARIOS.externalDatabase);
    deployment = chart.get('Deployment', 'core-api');
    api = container(deployment, 'core-api');
  });

  it('renders the core-api objects and no PodDisruptionBudget, Postgres or Redis', () => {
    expect(chart.inventory).toEqual([
      'ConfigMap/core-api',
      'Deployment/core-api',
      'Job/core-api-migrate',
      'Secret/core-api',
      'Secret/core-api-migrate',
      'Service/core-api',
    ]);
    expect(deployment.spec.replicas).toBe(1);
  });

  it('runs the image on container port 4000 behind the core-api Service', () => {
    expect(api.image).toBe('core-api:0.1.0');
    expect(api.ports).toEqual([{ name: 'http', containerPort: 4000, protocol: 'TCP' }]);
    const service = chart.get('Service', 'core-api');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 4000, targetPort: 'http', protocol: 'TCP' }]);
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
  });

  it('probes readiness on /readyz, liveness on /healthz, and gives start-up its own probe', () => {
    expect(api.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(api.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(api.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // Start-up may take minutes (connect retries, migrations); liveness must not cut it short.
    expect(api.startupProbe.periodSeconds * api.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
    expect(api.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(api.resources.limits.memory).toEqual(expect.any(String));
  });

  it('runs as non-root on a read-only root filesystem with a writable /tmp and /app/.data', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, runAsUser: 1000 }));
    expect(api.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(api.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'data', mountPath: '/app/.data' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '512Mi' } },
      { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
    ]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('sets every variable of the README configuration table (except the embedded Postgres ones)', () => {
    const configMap = chart.get('ConfigMap', 'core-api');
    expect(api.envFrom).toEqual([{ configMapRef: { name: 'core-api' } }]);
    const provided = new Set([...Object.keys(configMap.data), ...Object.keys(envOf(api))]);
    const expected = readmeVariables().filter((name) => !name.startsWith('EMBEDDED_POSTGRES_'));
    expect(expected.length).toBeGreaterThan(15);
    expect(expected.filter((name) => !provided.has(name))).toEqual([]);
    expect(configMap.data).toEqual(
      expect.objectContaining({ PORT: '4000', LOG_LEVEL: 'info', LOG_FORMAT: 'json', REDIS_URL: 'inline', APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '1' }),
    );
  });

  it('renders an environment the app itself accepts', () => {
    const configMap = chart.get('ConfigMap', 'core-api');
    const env = envOf(api);
    const environment = validateEnvironment({
      ...configMap.data,
      DATABASE_URL: secretValue(chart, env.DATABASE_URL),
      SERVICE_REGISTRY_TOKEN: secretValue(chart, env.SERVICE_REGISTRY_TOKEN),
    });
    expect(environment.DATABASE_URL).toBe(DATABASE_URL);
    expect(environment.SERVICE_REGISTRY_TOKEN).toBe('token-1');
    expect(environment.PORT).toBe(4000);
  });

  it('reads DATABASE_URL and SERVICE_REGISTRY_TOKEN from the Secret, never from the ConfigMap', () => {
    expect(envOf(api)).toEqual({
      DATABASE_URL: 'secret:core-api/DATABASE_URL',
      SERVICE_REGISTRY_TOKEN: 'secret:core-api/SERVICE_REGISTRY_TOKEN',
    });
    expect(chart.get('Secret', 'core-api').stringData).toEqual({ DATABASE_URL, SERVICE_REGISTRY_TOKEN: 'token-1' });
    expect(chart.get('ConfigMap', 'core-api').data).not.toHaveProperty('DATABASE_URL');
    expect(chart.text.match(/s3cret/g)).toHaveLength(2); // the Secret and the migration Job's hook Secret
  });

  it('drains on shutdown for a few seconds, well inside the termination grace period', () => {
    const drainMs = Number(chart.get('ConfigMap', 'core-api').data.SHUTDOWN_DRAIN_MS);
    expect(drainMs).toBeGreaterThanOrEqual(2_000);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs + 10_000);
  });

  it('rolls the pods when the configuration changes, and only then', async () => {
    const checksum = (rendered: RenderedChart) =>
      rendered.get('Deployment', 'core-api').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(chart)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(await render(SCENARIOS.externalDatabase))).toBe(checksum(chart));
    expect(checksum(await render({ ...SCENARIOS.externalDatabase, 'config.logLevel': 'debug' }))).not.toBe(checksum(chart));
    expect(checksum(await render({ ...SCENARIOS.externalDatabase, registryToken: 'token-2' }))).not.toBe(checksum(chart));
  });

  it('migrates in a pre-install/pre-upgrade hook Job whose credentials Secret is created before it', () => {
    const job = chart.get('Job', 'core-api-migrate');
    const migrate = container(job, 'migrate');
    expect(job.metadata.annotations).toEqual({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(migrate.command).toEqual(['node', 'dist/cli.js', 'migrate']);
    expect(migrate.image).toBe(api.image);
    const env = envOf(migrate);
    expect(env).toEqual(expect.objectContaining({ DATABASE_URL: 'secret:core-api-migrate/DATABASE_URL', REDIS_URL: 'inline', LOG_FORMAT: 'json' }));
    expect(secretValue(chart, env.DATABASE_URL)).toBe(DATABASE_URL);

    // The regular core-api Secret does not exist yet at pre-install: the Job's Secret is a hook too, weighted before it.
    const hookSecret = chart.get('Secret', 'core-api-migrate');
    expect(hookSecret.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(hookSecret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations['helm.sh/hook-weight']));
    expect(chart.get('Secret', 'core-api').metadata.annotations).toBeUndefined();

    // Nothing else the Job uses is a regular release resource (they would not exist at pre-install).
    expect(migrate.envFrom).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(migrate.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(migrate.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });
});

describe('helm template with replicaCount=2 and a Redis URL', () => {
  it('shares Redis between the replicas and protects them with a PodDisruptionBudget', async () => {
    const chart = await render(SCENARIOS.twoReplicas);
    const deployment = chart.get('Deployment', 'core-api');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(chart.get('ConfigMap', 'core-api').data.REDIS_URL).toBe(REDIS_URL);
    const pdb = chart.get('PodDisruptionBudget', 'core-api');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(selects(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    expect(chart.find('Deployment', 'core-api-redis')).toBeUndefined();
  });
});

describe('helm template with the in-chart Postgres and Redis', () => {
  let chart: RenderedChart;

  beforeAll(async () => {
    chart = await render(SCENARIOS.inChartDatabases);
  });

  it('adds a Postgres StatefulSet and a Redis Deployment, each behind its own Service', () => {
    expect(chart.inventory).toEqual([
      'ConfigMap/core-api',
      'Deployment/core-api',
      'Deployment/core-api-redis',
      'Job/core-api-migrate',
      'PodDisruptionBudget/core-api',
      'Secret/core-api',
      'Service/core-api',
      'Service/core-api-postgresql',
      'Service/core-api-redis',
      'StatefulSet/core-api-postgresql',
    ]);
    const workloads = {
      'core-api': chart.get('Deployment', 'core-api'),
      'core-api-postgresql': chart.get('StatefulSet', 'core-api-postgresql'),
      'core-api-redis': chart.get('Deployment', 'core-api-redis'),
    };
    // Each Service selects its own workload's pods and no other's.
    for (const [serviceName] of Object.entries(workloads)) {
      const selector = chart.get('Service', serviceName).spec.selector;
      const selected = Object.entries(workloads)
        .filter(([, workload]) => selects(selector, workload.spec.template.metadata.labels))
        .map(([name]) => name);
      expect({ serviceName, selected }).toEqual({ serviceName, selected: [serviceName] });
    }
  });

  it('points DATABASE_URL and REDIS_URL at the in-chart services, with the password Postgres is given', () => {
    const api = container(chart.get('Deployment', 'core-api'), 'core-api');
    const databaseUrl = new URL(secretValue(chart, envOf(api).DATABASE_URL));
    expect(`${databaseUrl.protocol}//${databaseUrl.host}${databaseUrl.pathname}`).toBe('postgres://core-api-postgresql:5432/core_api');
    expect(databaseUrl.username).toBe('core_api');

    const postgres = container(chart.get('StatefulSet', 'core-api-postgresql'), 'postgresql');
    const postgresEnv = envOf(postgres);
    expect(postgresEnv).toEqual(expect.objectContaining({ POSTGRES_USER: 'core_api', POSTGRES_DB: 'core_api' }));
    const password = secretValue(chart, postgresEnv.POSTGRES_PASSWORD);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(decodeURIComponent(databaseUrl.password)).toBe(password);

    expect(chart.get('ConfigMap', 'core-api').data.REDIS_URL).toBe('redis://core-api-redis:6379');
    expect(chart.get('Service', 'core-api-redis').spec.ports[0].port).toBe(6379);
    expect(chart.get('Service', 'core-api-postgresql').spec.ports[0].port).toBe(5432);
  });

  it('uses a given Postgres password in both places', async () => {
    const given = await render({ ...SCENARIOS.inChartDatabases, 'postgresql.auth.password': 'p@ss:word/1' });
    const secret = given.get('Secret', 'core-api').stringData;
    expect(secret.POSTGRES_PASSWORD).toBe('p@ss:word/1');
    expect(decodeURIComponent(new URL(secret.DATABASE_URL).password)).toBe('p@ss:word/1');
    expect(new URL(secret.DATABASE_URL).hostname).toBe('core-api-postgresql');
  });

  it('computes the config checksum over the very Secret it ships, generated password included', () => {
    const sources = new Map<string, string>();
    for (const chunk of chart.text.split(/^---\n/m)) {
      const source = chunk.match(/^# Source: core-api\/templates\/(\S+)\n/);
      if (source) sources.set(source[1], chunk.slice(source[0].length).trim());
    }
    const configMap = sources.get('configmap.yaml')!;
    const secret = sources.get('secret.yaml')!;
    expect(secret).toContain(chart.get('Secret', 'core-api').stringData.POSTGRES_PASSWORD);
    // helm prints each template trimmed; the checksum hashed them as the templates rendered them.
    const candidates = ['', '\n', '\n\n'].flatMap((between) =>
      ['', '\n'].map((after) => createHash('sha256').update(`${configMap}${between}${secret}${after}`).digest('hex')),
    );
    const annotations = chart.get('Deployment', 'core-api').spec.template.metadata.annotations;
    expect(candidates).toContain(annotations['checksum/config']);
  });

  it('migrates before upgrades only: on install the in-chart Postgres does not exist before the hooks', () => {
    const job = chart.get('Job', 'core-api-migrate');
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-upgrade');
    expect(envOf(container(job, 'migrate')).DATABASE_URL).toBe('secret:core-api/DATABASE_URL');
    expect(chart.find('Secret', 'core-api-migrate')).toBeUndefined();
  });

  it('runs Postgres and Redis as non-root with their writable paths on volumes', () => {
    for (const [kind, name, containerName] of [
      ['StatefulSet', 'core-api-postgresql', 'postgresql'],
      ['Deployment', 'core-api-redis', 'redis'],
    ]) {
      const workload = chart.get(kind, name);
      expect(workload.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const infra = container(workload, containerName);
      expect(infra.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(infra.readinessProbe).toBeDefined();
    }
    const postgresMounts = container(chart.get('StatefulSet', 'core-api-postgresql'), 'postgresql').volumeMounts.map(
      (mount: Manifest) => mount.mountPath,
    );
    expect(postgresMounts).toEqual(['/var/lib/postgresql/data', '/var/run/postgresql', '/tmp']);
  });

  it('keeps Postgres data on a PersistentVolumeClaim when asked', async () => {
    const persistent = await render({ ...SCENARIOS.inChartDatabases, 'postgresql.persistence.enabled': true, 'postgresql.persistence.size': '2Gi' });
    const statefulSet = persistent.get('StatefulSet', 'core-api-postgresql');
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({ metadata: { name: 'data' }, spec: expect.objectContaining({ resources: { requests: { storage: '2Gi' } } }) }),
    ]);
    expect(statefulSet.spec.template.spec.volumes.map((volume: Manifest) => volume.name)).not.toContain('data');
  });
});

describe('helm template with an existing Secret', () => {
  it('reads both values from it under the configured keys, and renders no Secret of its own', async () => {
    const chart = await render(SCENARIOS.existingSecret);
    expect(chart.find('Secret', 'core-api')).toBeUndefined();
    expect(chart.find('Secret', 'core-api-migrate')).toBeUndefined();
    const api = container(chart.get('Deployment', 'core-api'), 'core-api');
    expect(envOf(api)).toEqual({
      DATABASE_URL: 'secret:registry-credentials/pg-url',
      SERVICE_REGISTRY_TOKEN: 'secret:registry-credentials/write-token',
    });
    const job = chart.get('Job', 'core-api-migrate');
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(envOf(container(job, 'migrate')).DATABASE_URL).toBe('secret:registry-credentials/pg-url');
  });
});

describe('helm template on the rollback path (flags.useSharedState=false)', () => {
  it('runs no migration hook, so a broken database cannot block the upgrade, and seeds from the shipped module', async () => {
    const chart = await render(SCENARIOS.rollback);
    expect(chart.find('Job', 'core-api-migrate')).toBeUndefined();
    expect(chart.find('Secret', 'core-api-migrate')).toBeUndefined();
    expect(chart.get('ConfigMap', 'core-api').data).toMatchObject({
      APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE: '0',
      SERVICE_MANIFEST_PATHS: 'modules/observatory/dist',
    });
    expect(chart.get('Deployment', 'core-api').spec.replicas).toBe(1);
  });

  it('keeps the private store in an emptyDir under /app/.data, or on a claim that outlives pods', async () => {
    const ephemeral = await render(SCENARIOS.rollback);
    expect(ephemeral.get('ConfigMap', 'core-api').data.APPHUB_SERVICE_REGISTRY_LOCAL_DIR).toBe('/app/.data/local-registry');
    const volumes = (chart: RenderedChart) => chart.get('Deployment', 'core-api').spec.template.spec.volumes;
    expect(volumes(ephemeral)).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '1Gi' } });
    expect(ephemeral.find('PersistentVolumeClaim', 'core-api-local-store')).toBeUndefined();

    const persistent = await render({ ...SCENARIOS.rollback, 'localStore.persistence.enabled': true, 'localStore.persistence.size': '2Gi' });
    expect(volumes(persistent)).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'core-api-local-store' } });
    const claim = persistent.get('PersistentVolumeClaim', 'core-api-local-store');
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } });
    expect(claim.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    // One pod at a time on the volume: the old pod stops its Postgres before the new one starts.
    expect(persistent.get('Deployment', 'core-api').spec.strategy).toEqual({ type: 'Recreate' });

    const existing = await render({ ...SCENARIOS.rollback, 'localStore.persistence.enabled': true, 'localStore.persistence.existingClaim': 'mine' });
    expect(volumes(existing)).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'mine' } });
    expect(existing.find('PersistentVolumeClaim', 'core-api-local-store')).toBeUndefined();
  });
});
