/**
 * The registry's identifiers and their rules, shared by manifest validation (the JSON
 * Schemas in schemas/ carry the same patterns, checked by identifiers.spec.ts), request DTOs,
 * route parameters and CLI flags, so a value accepted in one place is accepted everywhere.
 */
export interface IdentifierRule {
  /** How messages name it. */
  name: string;
  pattern: RegExp;
  /** The rule in words, for error messages ("must be <rule>"). */
  rule: string;
}

/**
 * Service slugs: lower-case letters and digits in groups joined by single "-" (no leading,
 * trailing or doubled "-"), 1–100 characters. They appear in URLs unencoded.
 */
export const SERVICE_SLUG: IdentifierRule = {
  name: 'slug',
  pattern: /^(?=.{1,100}$)[a-z0-9]+(?:-[a-z0-9]+)*$/,
  rule: 'lower-case letters, digits and "-" (no leading, trailing or double "-"), 1 to 100 characters',
};

/** Network ids follow the slug rule. */
export const NETWORK_ID: IdentifierRule = { ...SERVICE_SLUG, name: 'network id' };

/**
 * Module ids as AppHub writes them (`observatory`, `github.com/apphub/local-services`,
 * `local:examples/x`, `@scope/module`): letters (case kept), digits, ".", "_", "-", "/", "@"
 * and ":", starting with a letter, a digit or "@", at most 200 characters. In URL paths they
 * are percent-encoded. A service id `module:<moduleId>:<slug>` stays unambiguous: a slug
 * holds no ":", so the last ":" ends the module id.
 */
export const MODULE_ID: IdentifierRule = {
  name: 'moduleId',
  pattern: /^[A-Za-z0-9@][A-Za-z0-9._\/@:-]{0,199}$/,
  rule: 'letters, digits, ".", "_", "-", "/", "@" and ":", starting with a letter, a digit or "@", at most 200 characters',
};

/** Placeholder names (`${NAME}`, `{ "$var": { "name": NAME } }`, `--var NAME=VALUE`). */
export const PLACEHOLDER_NAME: IdentifierRule = {
  name: 'placeholder name',
  pattern: /^[A-Za-z0-9_]+$/,
  rule: 'letters, digits and "_"',
};

/** Environment variable names (manifest `env[].key`, `setEnvDefaults` keys). */
export const ENV_KEY: IdentifierRule = {
  name: 'environment variable name',
  pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
  rule: 'letters, digits and "_", not starting with a digit',
};
