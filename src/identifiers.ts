/**
 * The registry's identifiers and their rules, shared by manifest validation, request DTOs
 * and route parameters, so a value accepted in one place is accepted everywhere.
 */
export interface IdentifierRule {
  /** How messages name it. */
  name: string;
  pattern: RegExp;
  /** The rule in words, for error messages. */
  rule: string;
}

export const SERVICE_SLUG: IdentifierRule = {
  name: 'slug',
  pattern: /^[a-z0-9-]{1,100}$/,
  rule: 'lower-case letters, digits and "-", 1 to 100 characters',
};

/** Network ids follow the slug rule. */
export const NETWORK_ID: IdentifierRule = { ...SERVICE_SLUG, name: 'network id' };

/** Module ids may also hold `.` and `_` (they appear in service ids as `module:<id>:<slug>`). */
export const MODULE_ID: IdentifierRule = {
  name: 'moduleId',
  pattern: /^[a-z0-9][a-z0-9._-]{0,99}$/,
  rule: 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 100 characters',
};
