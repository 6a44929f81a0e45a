import { HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * What `/readyz` checks besides shutdown: the dependencies the chosen state needs. Shared
 * state: Postgres and Redis (`SharedStateReadiness`); local state: the in-process store.
 */
export abstract class ReadinessChecks {
  abstract indicators(): HealthIndicatorFunction[];
}
