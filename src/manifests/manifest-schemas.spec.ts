import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import standaloneCode from 'ajv/dist/standalone';
import type { ValidateFunction } from 'ajv/dist/2020';
import { DESCRIPTOR_SCHEMA_FILE, MANIFEST_SCHEMA_FILE, schemaAjv, SCHEMAS_DIRECTORY } from './manifest-schemas';

/** What `scripts/compile-schemas.mjs` writes for `name`, loaded as a module. */
function standaloneValidator(name: string): ValidateFunction {
  const ajv = schemaAjv({ source: true });
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(readFileSync(join(SCHEMAS_DIRECTORY, name), 'utf8'))));
  const module = { exports: {} as unknown };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports as ValidateFunction;
}

/** Every JSON file under the malformed-module fixtures (manifests and descriptors alike), parsed. */
function fixtureDocuments(): unknown[] {
  const documents: unknown[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) return readdirSync(path).forEach((entry) => walk(join(path, entry)));
    if (!path.endsWith('.json')) return;
    try {
      documents.push(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      // invalid JSON is the loader's case, not the schema's
    }
  };
  walk(join(__dirname, '..', '..', 'test', 'fixtures'));
  return documents;
}

describe('precompiled schema validators', () => {
  it.each([MANIFEST_SCHEMA_FILE, DESCRIPTOR_SCHEMA_FILE])('report exactly what Ajv compiling %s at run time reports', (name) => {
    const compiled = schemaAjv().compile(JSON.parse(readFileSync(join(SCHEMAS_DIRECTORY, name), 'utf8')));
    const standalone = standaloneValidator(name);
    const documents = [...fixtureDocuments(), {}, [], { services: [{}] }, [{ slug: 'A B', kind: 3, env: [{ key: 1 }], extra: true }]];
    let invalid = 0;
    for (const document of documents) {
      const valid = compiled(document);
      expect(standalone(document)).toBe(valid);
      if (!valid) invalid += 1;
      // parentSchema and data included (verbose): the messages are built from them.
      expect(JSON.stringify(standalone.errors ?? null)).toBe(JSON.stringify(compiled.errors ?? null));
    }
    expect(invalid).toBeGreaterThan(3);
  });
});
