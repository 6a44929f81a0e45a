/** A service slug: lower-case letters, digits and `-`, 1–100 characters (SPEC §3). */
export const SERVICE_SLUG_PATTERN = /^[a-z0-9-]{1,100}$/;
export const SERVICE_SLUG_RULE = 'lower-case letters, digits and "-", 1 to 100 characters';
