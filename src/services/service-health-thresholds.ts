/** Most checks in a row a health threshold may ask for (manifest schema, DTOs and environment agree). */
export const MAX_HEALTH_THRESHOLD = 100;

/**
 * A service's own health thresholds (manifest `health`, or the API's), stored on its
 * `services` row; an absent one is the environment's default.
 */
export interface HealthThresholdOverride {
  failuresBeforeUnhealthy?: number | null;
  successesBeforeHealthy?: number | null;
}
