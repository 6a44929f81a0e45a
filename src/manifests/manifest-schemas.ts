import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { joinPath, ManifestProblem } from './manifest-problems';

/**
 * The published JSON Schemas (draft 2020-12) of the manifest file and the module descriptor.
 * Module authors point `$schema` at them for editor checks; the registry enforces the same
 * files with Ajv. `schemas/` sits at the repository root, two levels above this file both in
 * `src/manifests/` and in `dist/manifests/`.
 */
export const SCHEMAS_DIRECTORY = join(__dirname, '..', '..', 'schemas');
export const MANIFEST_SCHEMA_FILE = 'service-manifest.schema.json';
export const DESCRIPTOR_SCHEMA_FILE = 'module-descriptor.schema.json';

/** A schema node, as far as messages read it. */
interface SchemaNode {
  properties?: Record<string, unknown>;
  /** A message for every failure of this node (also shown by VS Code). */
  errorMessage?: string;
  /** A message for a failed `pattern` (also shown by VS Code). */
  patternErrorMessage?: string;
}

/** Keywords about the value itself: their messages end with what was found. */
const VALUE_KEYWORDS = new Set(['type', 'pattern', 'format', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'maxLength']);

/** One schema, compiled, reporting problems as `file: json.path: what is wrong`. */
export class SchemaCheck {
  private constructor(
    readonly schema: Record<string, unknown>,
    private readonly validate: ValidateFunction,
  ) {}

  /**
   * `schemas/<name>`, compiled (every problem at once, with the schema node of each): the
   * validator the build generated for exactly this schema text if there is one
   * (`scripts/compile-schemas.mjs`, Ajv's standalone code, the same function Ajv would
   * compile: compiling both schemas took ~100 ms of every CLI run), else compiled here.
   */
  static load(name: string): SchemaCheck {
    const text = readFileSync(join(SCHEMAS_DIRECTORY, name), 'utf8');
    const schema = JSON.parse(text) as Record<string, unknown>;
    return new SchemaCheck(schema, precompiled(name, text) ?? schemaAjv().compile(schema));
  }

  /** Whether `value` is valid; every problem is added to `problems`. */
  check(value: unknown, file: string, problems: ManifestProblem[]): boolean {
    if (this.validate(value)) return true;
    const lines = new Set<string>();
    for (const problem of describeErrors(this.validate.errors ?? [], value)) {
      const key = `${problem.path}\n${problem.message}`;
      if (lines.has(key)) continue; // e.g. the same rule reached through two schema paths
      lines.add(key);
      problems.push({ file, path: problem.path || '(root)', message: problem.message });
    }
    return false;
  }
}

/**
 * The Ajv that checks the schemas, with the options the messages rely on. `code.source`
 * keeps the generated code, for the build to write out (`scripts/compile-schemas.mjs`).
 */
export function schemaAjv(options: { source?: boolean } = {}): Ajv2020 {
  // Loaded only here: with the build's validators (`precompiled`) a CLI run needs none of Ajv's
  // compiler (~75 modules).
  const { default: Ajv } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    ...(options.source ? { code: { source: true } } : {}),
  });
  // Annotations VS Code reads; Ajv only has to know them.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  return ajv;
}

/** Where the build writes the validator of `schemas/<name>`, and the hash of the text it was made from. */
export const PRECOMPILED_DIRECTORY = join(__dirname, 'compiled-schemas');
export function schemaTextHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The build's validator of `schemas/<name>`, if there is one made from this very text. */
function precompiled(name: string, text: string): ValidateFunction | null {
  let validate: ValidateFunction & { schemaTextHash?: string };
  try {
    validate = require(join(PRECOMPILED_DIRECTORY, `${name}.js`)) as ValidateFunction & { schemaTextHash?: string };
  } catch {
    return null; // not built (tests run the sources)
  }
  return validate.schemaTextHash === schemaTextHash(text) ? validate : null;
}

/** Ajv's errors as `json.path: message`, without the noise of branches that did not apply. */
function describeErrors(errors: ErrorObject[], root: unknown): { path: string; message: string }[] {
  // A failed anyOf/oneOf reports every branch's errors too: its own message says it all.
  const alternatives = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf');
  const insideAlternative = (error: ErrorObject) =>
    alternatives.some(
      (alternative) =>
        alternative !== error &&
        error.schemaPath.startsWith(`${alternative.schemaPath}/`) &&
        (error.instancePath === alternative.instancePath || error.instancePath.startsWith(`${alternative.instancePath}/`)),
    );
  const described: { path: string; message: string }[] = [];
  for (const error of errors) {
    // `if` failing only says a `then` failed, which has its own errors; `propertyNames`
    // likewise (its inner error names the key).
    if (error.keyword === 'if' || error.keyword === 'propertyNames' || insideAlternative(error)) continue;
    described.push(describeError(error, root));
  }
  return described;
}

function describeError(error: ErrorObject, root: unknown): { path: string; message: string } {
  let path = jsonPath(error.instancePath, root);
  let value: unknown = error.data;
  if (error.propertyName !== undefined) {
    // An error about a key (propertyNames): point at the key.
    path = joinPath(path, error.propertyName);
    value = error.propertyName;
  }
  const node = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, unknown>;
  const found = VALUE_KEYWORDS.has(error.keyword) ? `, got ${describeValue(value, error.keyword)}` : '';

  switch (error.keyword) {
    case 'required':
      return { path: joinPath(path, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return {
        path: joinPath(path, String(params.additionalProperty)),
        message: `unknown key (allowed here: ${Object.keys(node.properties ?? {}).join(', ')})`,
      };
  }
  const at = path || '';
  if (error.keyword === 'pattern' && node.patternErrorMessage) return { path: at, message: `${node.patternErrorMessage}${found}` };
  if (node.errorMessage) return { path: at, message: `${node.errorMessage}${found}` };
  switch (error.keyword) {
    case 'type':
      return { path: at, message: `must be ${typeNames(params.type)}${found}` };
    case 'enum':
      return { path: at, message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}${found}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}${found}` };
    case 'minItems':
      return { path: at, message: params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} entries` };
    case 'minLength':
      return { path: at, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters${found}` };
    case 'minimum':
      return { path: at, message: `must be at least ${String(params.limit)}${found}` };
    case 'pattern':
      return { path: at, message: `must match ${String(params.pattern)}${found}` };
    default:
      return { path: at, message: `${error.message ?? 'is not valid'}${found}` };
  }
}

/** A JSON pointer (`/services/0/env/1`) as the path messages use (`services[0].env[1]`). */
function jsonPath(pointer: string, root: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let node: unknown = root;
  for (const encoded of pointer.slice(1).split('/')) {
    const key = encoded.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path = joinPath(path, Number(key));
      node = node[Number(key)];
    } else {
      path = joinPath(path, key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function typeNames(type: unknown): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
    null: 'null',
  };
  return (Array.isArray(type) ? type : [type]).map((name) => names[String(name)] ?? String(name)).join(' or ');
}

/** A short description of a JSON value for messages: `a number (4311)`, `null`, `a list`. */
export function describeValue(value: unknown, keyword = 'type'): string {
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    // After a rule about strings, the string alone says what was found.
    return keyword === 'type' || keyword === 'enum' || keyword === 'const' ? `a string (${shown})` : shown;
  }
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `${value}`;
  return 'an object';
}
