import request from 'supertest';
import { InProcessApp, startInProcessApp } from '../support/in-process-app';
import { TestDatabase } from '../support/test-database';

const TOKEN = 'malformed-token';
const valid = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' };

interface Case {
  name: string;
  method: 'get' | 'post' | 'patch';
  path: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  status: number;
  mentions?: RegExp;
}

const cases: Case[] = [
  { name: 'invalid JSON', method: 'post', path: '/services', raw: '{"slug": "x",', contentType: 'application/json', status: 400, mentions: /not valid JSON/ },
  { name: 'JSON that is not an object', method: 'post', path: '/services', raw: '"just a string"', contentType: 'application/json', status: 400 },
  { name: 'a JSON array', method: 'post', path: '/services', body: [valid], status: 400 },
  { name: 'an empty body', method: 'post', path: '/services', body: {}, status: 400, mentions: /slug/ },
  { name: 'a huge body', method: 'post', path: '/services', body: { ...valid, metadata: { blob: 'x'.repeat(300 * 1024) } }, status: 413, mentions: /too large/ },
  { name: 'an unknown field', method: 'post', path: '/services', body: { ...valid, owner: 'me' }, status: 400, mentions: /owner/ },
  { name: 'a number for a string', method: 'post', path: '/services', body: { ...valid, displayName: 42 }, status: 400, mentions: /displayName/ },
  { name: 'a bad slug in the body', method: 'post', path: '/services', body: { ...valid, slug: 'Not_A_Slug' }, status: 400, mentions: /slug must be/ },
  { name: 'a too long slug', method: 'post', path: '/services', body: { ...valid, slug: 'a'.repeat(101) }, status: 400, mentions: /slug/ },
  { name: 'a non-http base URL', method: 'post', path: '/services', body: { ...valid, baseUrl: 'ftp://x.example' }, status: 400, mentions: /baseUrl/ },
  { name: 'a relative base URL', method: 'post', path: '/services', body: { ...valid, baseUrl: '/relative' }, status: 400, mentions: /baseUrl/ },
  { name: 'a health endpoint that is no path', method: 'post', path: '/services', body: { ...valid, healthEndpoint: 'healthz' }, status: 400, mentions: /healthEndpoint/ },
  { name: 'metadata that is not an object', method: 'post', path: '/services', body: { ...valid, metadata: [1, 2] }, status: 400, mentions: /metadata/ },
  { name: 'form-encoded body', method: 'post', path: '/services', raw: 'slug=billing', contentType: 'application/x-www-form-urlencoded', status: 415, mentions: /must be JSON/ },
  { name: 'a bad slug in the path', method: 'get', path: '/services/Bad_Slug', status: 400, mentions: /slug/ },
  { name: 'an over-long slug in the path', method: 'get', path: `/services/${'a'.repeat(150)}`, status: 400 },
  { name: 'an unknown status in a patch', method: 'patch', path: '/services/billing', body: { status: 'sleeping' }, status: 400, mentions: /status must be one of/ },
  { name: 'an empty patch', method: 'patch', path: '/services/billing', body: {}, status: 400, mentions: /changes nothing/ },
  { name: 'a patch of an unknown field', method: 'patch', path: '/services/billing', body: { slug: 'other' }, status: 400, mentions: /slug/ },
  { name: 'a bad timestamp in a patch', method: 'patch', path: '/services/billing', body: { lastHealthyAt: 'yesterday' }, status: 400, mentions: /lastHealthyAt/ },
  { name: 'a bad status filter', method: 'get', path: '/services?status=sleeping', status: 400, mentions: /status/ },
  { name: 'a bad source filter', method: 'get', path: '/services?source=internal', status: 400, mentions: /source/ },
  { name: 'an unknown query parameter', method: 'get', path: '/services?color=red', status: 400, mentions: /color/ },
  { name: 'a repeated filter', method: 'get', path: '/services?kind=a&kind=b', status: 400, mentions: /kind/ },
  { name: 'a negative index', method: 'get', path: '/services?index=-1', status: 400, mentions: /index/ },
  { name: 'a non-numeric index', method: 'get', path: '/services?index=abc', status: 400, mentions: /index/ },
  { name: 'a bad wait', method: 'get', path: '/services?index=1&wait=forever', status: 400, mentions: /wait/ },
  { name: 'a bad module id', method: 'get', path: '/modules/Bad%20Id/resources', status: 400, mentions: /moduleId must be/ },
  { name: 'a bad network id', method: 'get', path: '/service-networks/bad.id', status: 400, mentions: /network id must be/ },
  { name: 'an unknown route', method: 'get', path: '/nothing-here', status: 404 },
  { name: 'an unknown method on a route', method: 'patch', path: '/services', body: {}, status: 404 },
];

describe('malformed requests get a 4xx with the error shape, never a 5xx', () => {
  let database: TestDatabase;
  let registry: InProcessApp;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    registry = await startInProcessApp({ DATABASE_URL: database.url, REDIS_URL: 'inline', SERVICE_REGISTRY_TOKEN: TOKEN });
    await request(registry.server).post('/services').set('Authorization', `Bearer ${TOKEN}`).send(valid).expect(201);
  });

  afterAll(async () => {
    await registry?.close();
    await database?.drop();
  });

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_, testCase) => {
    const before = await database.snapshot();
    let call = request(registry.server)[testCase.method](testCase.path).set('Authorization', `Bearer ${TOKEN}`);
    if (testCase.raw !== undefined) call = call.set('Content-Type', testCase.contentType!).send(testCase.raw);
    else if (testCase.body !== undefined) call = call.send(testCase.body as object);
    const response = await call;

    expect(response.status).toBe(testCase.status);
    expect(Object.keys(response.body).sort()).toEqual(['details', 'error', 'message', 'statusCode']);
    expect(response.body).toMatchObject({ statusCode: testCase.status, error: expect.any(String), message: expect.any(String) });
    if (testCase.mentions) expect(response.body.message).toMatch(testCase.mentions);
    expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(await database.snapshot()).toEqual(before);
  });
});
