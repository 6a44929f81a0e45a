#!/usr/bin/env node
// Writes each schema's validator as Ajv standalone code next to the compiled manifest code
// (dist/manifests/compiled-schemas/<schema>.js), made with the Ajv the registry checks with
// (`schemaAjv` in src/manifests/manifest-schemas.ts) and stamped with the hash of the schema
// text it was made from: SchemaCheck.load uses it only for that exact text, so a schema edited
// after the build is compiled at run time as before. Run by `npm run build`, after tsc.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { schemaAjv, schemaTextHash, PRECOMPILED_DIRECTORY, SCHEMAS_DIRECTORY, MANIFEST_SCHEMA_FILE, DESCRIPTOR_SCHEMA_FILE } = require(
  join(ROOT, 'dist', 'manifests', 'manifest-schemas.js'),
);
const standaloneCode = require('ajv/dist/standalone').default;

mkdirSync(PRECOMPILED_DIRECTORY, { recursive: true });
for (const name of [MANIFEST_SCHEMA_FILE, DESCRIPTOR_SCHEMA_FILE]) {
  const text = readFileSync(join(SCHEMAS_DIRECTORY, name), 'utf8');
  const ajv = schemaAjv({ source: true });
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(text)));
  writeFileSync(join(PRECOMPILED_DIRECTORY, `${name}.js`), `${code}\nmodule.exports.schemaTextHash = ${JSON.stringify(schemaTextHash(text))};\n`);
}
