/** The health endpoint of a service that declares none (SPEC §3). */
export const DEFAULT_HEALTH_ENDPOINT = '/healthz';

/** `services.id` of a module's service. */
export function moduleServiceId(moduleId: string, slug: string): string {
  return `module:${moduleId}:${slug}`;
}

/** `services.id` of an external service (registered through the API). */
export function externalServiceId(slug: string): string {
  return `external:${slug}`;
}
