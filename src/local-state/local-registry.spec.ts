import { ConflictException, NotFoundException, BadRequestException } from '@nestjs/common';
import { manifestChecksum } from '../manifests/manifest-checksum';
import { ResolvedModule } from '../manifests/manifest.types';
import { ProbeResult } from '../health/health-prober';
import { LOCAL_SNAPSHOTS_PER_SERVICE, LocalRegistry } from './local-registry';

function moduleWith(moduleId: string, slugs: string[], networkIds: string[] = []): ResolvedModule {
  return {
    moduleId,
    services: slugs.map((slug) => ({
      slug,
      definition: {
        slug,
        displayName: `The ${slug}`,
        kind: 'http',
        baseUrl: `http://127.0.0.1:9000/${slug}`,
        metadata: { zeta: 1, alpha: { b: 2, a: 1 } },
        env: [{ key: 'PORT', value: '9000' }],
        placeholders: {},
      },
    })),
    networks: networkIds.map((id) => ({
      id,
      definition: {
        id,
        name: `Network ${id}`,
        description: 'd',
        repoUrl: 'https://example.com/r.git',
        dockerfilePath: 'Dockerfile',
        launchOrder: [slugs[1], slugs[0]],
        services: slugs.map((slug) => ({
          serviceSlug: slug,
          app: { id: slug, name: slug, description: 'd', repoUrl: 'https://example.com/r.git', dockerfilePath: 'Dockerfile' },
        })),
      },
    })),
  };
}

const external = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' };

describe('LocalRegistry', () => {
  let clock: Date;
  let registry: LocalRegistry;

  beforeEach(() => {
    clock = new Date('2026-01-01T00:00:00.000Z');
    registry = new LocalRegistry(() => clock);
  });

  it('seeds a module as version 1 with the ids and checksums the importer gives', async () => {
    const module = moduleWith('shop', ['cart', 'api']);
    registry.seedModule(module);
    const dataset = await registry.loadServices();
    expect(dataset.services.map((service) => service.view.slug)).toEqual(['api', 'cart']);
    expect(dataset.bySlug.get('cart')!.view).toEqual({
      id: 'module:shop:cart',
      slug: 'cart',
      displayName: 'The cart',
      kind: 'http',
      baseUrl: 'http://127.0.0.1:9000/cart',
      source: 'module',
      moduleId: 'shop',
      status: 'unknown',
      statusMessage: null,
      capabilities: null,
      metadata: { zeta: 1, alpha: { a: 1, b: 2 } },
      lastHealthyAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      manifest: { moduleId: 'shop', moduleVersion: 1, checksum: manifestChecksum(module.services[0].definition) },
      health: null,
    });
    expect(dataset.bySlug.get('cart')!.moduleIds).toEqual(['shop']);
  });

  it('orders JSON keys as Postgres jsonb returns them (shorter first, then by code point)', async () => {
    registry.seedModule(moduleWith('shop', ['cart']));
    const { view } = (await registry.loadServices()).bySlug.get('cart')!;
    expect(JSON.stringify(view.metadata)).toBe('{"zeta":1,"alpha":{"a":1,"b":2}}');
  });

  it('seeds networks with members in launch order and module resource contexts', async () => {
    registry.seedModule(moduleWith('shop', ['cart', 'api'], ['storefront']));
    const { networks } = await registry.loadNetworks(null);
    expect(networks).toHaveLength(1);
    expect(networks[0]).toMatchObject({ id: 'storefront', moduleId: 'shop', moduleVersion: 1 });
    expect(networks[0].members.map((member) => [member.serviceSlug, member.launchOrder])).toEqual([
      ['api', 0],
      ['cart', 1],
    ]);
    expect(JSON.stringify(networks[0].members[0])).toBe('{"env":[],"dependsOn":[],"launchOrder":0,"serviceSlug":"api","waitForBuild":false}');
    expect((await registry.loadNetworks('missing')).networks).toEqual([]);
    const { resources } = await registry.loadModuleResources('shop');
    expect(resources.map((resource) => `${resource.resourceType}:${resource.resourceId}`)).toEqual(['network:storefront', 'service:api', 'service:cart']);
    expect(resources[0].metadata).toEqual({ moduleVersion: 1 });
  });

  it('refuses a module whose slug another module owns, and adds nothing of it', async () => {
    registry.seedModule(moduleWith('shop', ['cart']));
    expect(() => registry.seedModule(moduleWith('other', ['basket', 'cart']))).toThrow(
      new ConflictException("service 'cart' is owned by module 'shop'"),
    );
    expect((await registry.loadServices()).services.map((service) => service.view.slug)).toEqual(['cart']);
    expect(registry.moduleIds).toEqual(['shop']);
  });

  it('registers an external service (created), then updates it (not created)', async () => {
    expect(registry.register({ ...external, metadata: { team: 'payments' } })).toEqual({ created: true, slug: 'billing' });
    clock = new Date('2026-01-01T00:05:00.000Z');
    expect(registry.register({ ...external, displayName: 'Billing v2' })).toEqual({ created: false, slug: 'billing' });
    const { view } = (await registry.loadServices()).bySlug.get('billing')!;
    expect(view).toMatchObject({
      id: 'external:billing',
      source: 'external',
      moduleId: null,
      displayName: 'Billing v2',
      metadata: {},
      manifest: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:05:00.000Z',
    });
  });

  it('refuses to register a module-owned slug as external (409) and changes nothing', async () => {
    registry.seedModule(moduleWith('shop', ['cart']));
    const before = registry.index;
    expect(() => registry.register({ ...external, slug: 'cart' })).toThrow(
      new ConflictException("service slug 'cart' is owned by module 'shop'; change it through the module's manifest"),
    );
    expect(registry.index).toBe(before);
    expect((await registry.loadServices()).bySlug.get('cart')!.view.source).toBe('module');
  });

  it('refuses a module whose slug is registered as external', () => {
    registry.register(external);
    expect(() => registry.seedModule(moduleWith('shop', ['billing']))).toThrow(
      new ConflictException("service 'billing' is registered as an external service"),
    );
  });

  it('patches only the fields given', async () => {
    registry.seedModule(moduleWith('shop', ['cart']));
    clock = new Date('2026-01-01T01:00:00.000Z');
    registry.patch('cart', { status: 'degraded', statusMessage: 'maintenance', lastHealthyAt: '2025-12-31T23:00:00Z' });
    const { view } = (await registry.loadServices()).bySlug.get('cart')!;
    expect(view).toMatchObject({
      status: 'degraded',
      statusMessage: 'maintenance',
      lastHealthyAt: '2025-12-31T23:00:00.000Z',
      baseUrl: 'http://127.0.0.1:9000/cart',
      updatedAt: '2026-01-01T01:00:00.000Z',
    });
  });

  it('answers 404 for an unknown slug and 400 for an empty patch', () => {
    expect(() => registry.patch('nope', { status: 'healthy' })).toThrow(NotFoundException);
    registry.register(external);
    expect(() => registry.patch('billing', {})).toThrow(BadRequestException);
  });

  it('takes the next index for every change and reports it with every read', async () => {
    expect(registry.index).toBe(0);
    registry.seedModule(moduleWith('shop', ['cart']));
    registry.register(external);
    registry.patch('billing', { status: 'healthy' });
    expect(registry.index).toBe(3);
    expect((await registry.loadServices()).index).toBe(3);
    expect((await registry.loadManifestHistory('cart')).index).toBe(3);
    expect((await registry.loadNetworks(null)).index).toBe(3);
  });

  it('shows the manifest history of module services; an external service has none but is registered', async () => {
    registry.seedModule(moduleWith('shop', ['cart']));
    registry.register(external);
    const cart = await registry.loadManifestHistory('cart');
    expect(cart.versions).toEqual([expect.objectContaining({ moduleId: 'shop', moduleVersion: 1, active: true, supersededAt: null })]);
    expect(await registry.loadManifestHistory('billing')).toMatchObject({ registered: true, versions: [] });
    expect(await registry.loadManifestHistory('nope')).toMatchObject({ registered: false, versions: [] });
  });

  describe('health', () => {
    const result = (slug: string, status: ProbeResult['status'], checkedAt: string, baseUrl = `http://127.0.0.1:9000/${slug}`): ProbeResult => ({
      target: { slug, baseUrl, healthEndpoint: '/healthz' },
      status,
      statusMessage: status === 'healthy' ? 'HTTP 200 OK' : 'connection refused',
      checkedAt: new Date(checkedAt),
      latencyMs: 3,
      statusCode: status === 'healthy' ? 200 : null,
      metadata: { trigger: 'manual' },
    });

    beforeEach(() => registry.seedModule(moduleWith('shop', ['cart'])));

    it('records snapshots with increasing versions and drives the service status', async () => {
      registry.recordHealth([result('cart', 'healthy', '2026-01-01T00:00:01Z')]);
      const [recorded] = registry.recordHealth([result('cart', 'unreachable', '2026-01-01T00:00:02Z')]);
      expect(recorded.snapshot.version).toBe(2);
      const { view } = (await registry.loadServices()).bySlug.get('cart')!;
      expect(view).toMatchObject({ status: 'unreachable', statusMessage: 'connection refused', lastHealthyAt: '2026-01-01T00:00:01.000Z' });
      expect(view.health).toMatchObject({ status: 'unreachable', checkedAt: '2026-01-01T00:00:02.000Z', healthEndpoint: '/healthz' });
      const page = registry.healthHistory('cart', 1, null)!;
      expect(page.snapshots.map((snapshot) => snapshot.version)).toEqual([2]);
      expect(page.nextBeforeVersion).toBe(2);
      expect(registry.healthHistory('cart', 10, 2)!.snapshots.map((snapshot) => snapshot.version)).toEqual([1]);
      expect(registry.healthHistory('nope', 10, null)).toBeNull();
    });

    it('drops a result for a service whose base URL changed while it was checked', () => {
      registry.patch('cart', { baseUrl: 'http://127.0.0.1:9999' });
      expect(registry.recordHealth([result('cart', 'healthy', '2026-01-01T00:00:01Z')])).toEqual([]);
    });

    it(`keeps the last ${LOCAL_SNAPSHOTS_PER_SERVICE} snapshots of a service`, () => {
      for (let i = 0; i < LOCAL_SNAPSHOTS_PER_SERVICE + 5; i++) registry.recordHealth([result('cart', 'healthy', '2026-01-01T00:00:01Z')]);
      const page = registry.healthHistory('cart', 500, null)!;
      expect(page.snapshots).toHaveLength(LOCAL_SNAPSHOTS_PER_SERVICE);
      expect(page.snapshots[0].version).toBe(LOCAL_SNAPSHOTS_PER_SERVICE + 5);
      expect(page.snapshots.at(-1)!.version).toBe(6);
      expect(page.nextBeforeVersion).toBeNull();
    });
  });
});
