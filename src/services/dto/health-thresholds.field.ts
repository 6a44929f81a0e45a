import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { IsJsonAsSent } from '../../http/field-rules';
import { MAX_HEALTH_THRESHOLD } from '../service-health-thresholds';

/** `health` of a registration or patch: the service's own thresholds (an absent one is the default). */
export interface HealthThresholdsInput {
  failuresBeforeUnhealthy?: number;
  successesBeforeHealthy?: number;
}

const KEYS = ['failuresBeforeUnhealthy', 'successesBeforeHealthy'] as const;

/** What is wrong with a `health` value, or null. */
export function healthThresholdsProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'health must be an object { failuresBeforeUnhealthy?, successesBeforeHealthy? }';
  for (const key of Object.keys(value)) {
    if (!(KEYS as readonly string[]).includes(key)) return `health.${key} is not a known key (allowed: ${KEYS.join(', ')})`;
  }
  for (const key of KEYS) {
    const threshold = (value as Record<string, unknown>)[key];
    if (threshold !== undefined && !(Number.isInteger(threshold) && (threshold as number) >= 1 && (threshold as number) <= MAX_HEALTH_THRESHOLD)) {
      return `health.${key} must be an integer from 1 to ${MAX_HEALTH_THRESHOLD}`;
    }
  }
  return null;
}

/**
 * The `health` field: checked here as sent (never rebuilt by class-transformer, see
 * `IsJsonAsSent`), so an unknown or reserved key inside it is a 400 like any other.
 */
export function IsHealthThresholds(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      nullable: true,
      properties: {
        failuresBeforeUnhealthy: { type: 'integer', minimum: 1, maximum: MAX_HEALTH_THRESHOLD },
        successesBeforeHealthy: { type: 'integer', minimum: 1, maximum: MAX_HEALTH_THRESHOLD },
      },
      description:
        "This service's own health thresholds (failed / healthy checks in a row before its status changes); an absent one is SERVICE_HEALTH_FAILURES_BEFORE_UNHEALTHY / SERVICE_HEALTH_SUCCESSES_BEFORE_HEALTHY",
    }),
    IsJsonAsSent(),
    ValidateBy({
      name: 'isHealthThresholds',
      validator: {
        validate: (value: unknown) => value === undefined || healthThresholdsProblem(value) === null,
        defaultMessage: (args) => healthThresholdsProblem(args?.value) ?? 'health is invalid',
      },
    }),
  );
}
