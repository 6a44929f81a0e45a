import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_KEY, MODULE_ID, PLACEHOLDER_NAME, SERVICE_SLUG } from './identifiers';
import { moduleServiceId } from './services/service-identity';

const schema = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'schemas', name), 'utf8'));

describe('identifiers', () => {
  it('are the rules the published JSON Schemas enforce (same pattern, same words)', () => {
    const manifest = schema('service-manifest.schema.json');
    const descriptor = schema('module-descriptor.schema.json');
    const same = (node: { pattern: string; patternErrorMessage: string }, rule: typeof SERVICE_SLUG) => {
      expect(node.pattern).toBe(rule.pattern.source);
      expect(node.patternErrorMessage).toBe(`must be ${rule.rule}`);
    };
    same(manifest.$defs.slug, SERVICE_SLUG);
    same(manifest.$defs.envKey, ENV_KEY);
    same(manifest.$defs.placeholderName, PLACEHOLDER_NAME);
    same(descriptor.properties.module, MODULE_ID);
    same(descriptor.properties.placeholders.items.properties.name, PLACEHOLDER_NAME);
    same(descriptor.$defs.setEnvDefaults.properties.values.propertyNames, ENV_KEY);
  });

  it.each(['a', 'observatory-dashboard', 'a1-b2-c3', 'x'.repeat(100)])('accepts the slug %s', (slug) => {
    expect(SERVICE_SLUG.pattern.test(slug)).toBe(true);
  });

  it.each(['', '-a', 'a-', 'a--b', 'A', 'a_b', 'a.b', 'a b', 'x'.repeat(101)])('refuses the slug %j', (slug) => {
    expect(SERVICE_SLUG.pattern.test(slug)).toBe(false);
  });

  it.each([
    'observatory',
    'github.com/apphub/examples/environmental-observatory',
    'github.com/apphub/local-services',
    'local:examples/environmental-observatory',
    '@apphub/Module_v1.2',
    'x'.repeat(200),
  ])('accepts the module id %s, case kept', (id) => {
    expect(MODULE_ID.pattern.test(id)).toBe(true);
  });

  it.each(['', '/github.com/x', '.hidden', ':x', 'a b', 'a?b', 'a#b', 'a%2Fb', 'a\\b', 'x'.repeat(201)])('refuses the module id %j', (id) => {
    expect(MODULE_ID.pattern.test(id)).toBe(false);
  });

  it('keeps service ids unambiguous: the last ":" ends the module id, since a slug holds none', () => {
    const id = moduleServiceId('local:github.com/apphub/x', 'observatory-api');
    expect(id).toBe('module:local:github.com/apphub/x:observatory-api');
    const last = id.lastIndexOf(':');
    expect([id.slice('module:'.length, last), id.slice(last + 1)]).toEqual(['local:github.com/apphub/x', 'observatory-api']);
  });
});
