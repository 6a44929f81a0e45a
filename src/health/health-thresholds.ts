import { ServiceStatus, SnapshotStatus } from '../services/service.entity';
import { HealthThresholdOverride } from '../services/service-health-thresholds';

/**
 * How many checks in a row move a service's effective status (Consul's
 * `failures_before_critical` / `success_before_passing`, Kubernetes' `failureThreshold` /
 * `successThreshold`).
 */
export interface HealthThresholds {
  /** Failed checks in a row (degraded or unreachable) before a healthy service turns unhealthy. */
  failuresBeforeUnhealthy: number;
  /** Healthy checks in a row before an unhealthy service turns healthy again. */
  successesBeforeHealthy: number;
}

/** Flapping looks at the raw statuses of this many latest checks … */
export const FLAPPING_WINDOW = 10;
/** … and calls a service flapping when they change more often than this. */
export const FLAPPING_CHANGES = 3;

/** What the previous check left behind: the state the next check continues from. */
export interface HealthState {
  /** The effective status (`unknown` before the first check). */
  status: ServiceStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the effective status last changed; null before the first check. */
  since: Date | null;
  /** Raw statuses of the latest checks, oldest first, at most `FLAPPING_WINDOW`. */
  recentStatuses: SnapshotStatus[];
}

/** The state of a service that was never checked. */
export const UNCHECKED: HealthState = { status: 'unknown', consecutiveFailures: 0, consecutiveSuccesses: 0, since: null, recentStatuses: [] };

/** One check applied to a state. */
export interface HealthStep {
  state: HealthState;
  /** The effective status before this check when this check changed it; null otherwise. */
  previousStatus: ServiceStatus | null;
  /** The raw status changed more than `FLAPPING_CHANGES` times in the last `FLAPPING_WINDOW` checks. */
  flapping: boolean;
}

/** The thresholds of one service: its own where it has them, the defaults otherwise. */
export function effectiveThresholds(defaults: HealthThresholds, override: HealthThresholdOverride | null | undefined): HealthThresholds {
  return {
    failuresBeforeUnhealthy: override?.failuresBeforeUnhealthy ?? defaults.failuresBeforeUnhealthy,
    successesBeforeHealthy: override?.successesBeforeHealthy ?? defaults.successesBeforeHealthy,
  };
}

/**
 * The threshold state machine. A check counts as a success when healthy and a failure
 * otherwise (degraded or unreachable); counters reset on the other outcome.
 * - The first check of a service sets its status (there is no earlier state to protect).
 * - A healthy service turns unhealthy after `failuresBeforeUnhealthy` failures in a row, taking
 *   the status the last failure observed; fewer failures leave it healthy.
 * - An unhealthy service turns healthy after `successesBeforeHealthy` successes in a row; while
 *   it stays unhealthy its status follows the failures observed (degraded ↔ unreachable).
 * `since` moves whenever the effective status changes. After the service was re-pointed
 * (`retargeted`), the next check counts as its first.
 */
export function nextHealthState(
  previous: HealthState,
  observed: SnapshotStatus,
  checkedAt: Date,
  thresholds: HealthThresholds,
  options: { retargeted?: boolean } = {},
): HealthStep {
  // A check of a new target (the service's baseUrl or healthEndpoint changed) counts as a first
  // check: the counts and the window were about another endpoint.
  const counted = options.retargeted ? { ...UNCHECKED, since: previous.since } : previous;
  const success = observed === 'healthy';
  const consecutiveSuccesses = success ? counted.consecutiveSuccesses + 1 : 0;
  const consecutiveFailures = success ? 0 : counted.consecutiveFailures + 1;
  const status = effectiveStatus(counted.status, observed, consecutiveFailures, consecutiveSuccesses, thresholds);
  const changed = status !== previous.status;
  const recentStatuses = [...counted.recentStatuses, observed].slice(-FLAPPING_WINDOW);
  return {
    state: { status, consecutiveFailures, consecutiveSuccesses, since: changed ? checkedAt : (previous.since ?? checkedAt), recentStatuses },
    previousStatus: changed ? previous.status : null,
    flapping: isFlapping(recentStatuses),
  };
}

function effectiveStatus(
  previous: ServiceStatus,
  observed: SnapshotStatus,
  failures: number,
  successes: number,
  thresholds: HealthThresholds,
): ServiceStatus {
  if (previous === 'unknown') return observed;
  if (previous === 'healthy') return failures >= thresholds.failuresBeforeUnhealthy ? observed : 'healthy';
  if (observed !== 'healthy') return observed;
  return successes >= thresholds.successesBeforeHealthy ? 'healthy' : previous;
}

/** Whether raw statuses (oldest first) changed more than `FLAPPING_CHANGES` times. */
export function isFlapping(statuses: readonly SnapshotStatus[]): boolean {
  let changes = 0;
  for (let index = 1; index < statuses.length; index++) if (statuses[index] !== statuses[index - 1]) changes++;
  return changes > FLAPPING_CHANGES;
}
