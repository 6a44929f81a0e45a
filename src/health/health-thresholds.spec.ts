import { SnapshotStatus } from '../services/service.entity';
import {
  effectiveThresholds,
  FLAPPING_WINDOW,
  HealthState,
  HealthStep,
  HealthThresholds,
  isFlapping,
  nextHealthState,
  UNCHECKED,
} from './health-thresholds';

const DEFAULTS: HealthThresholds = { failuresBeforeUnhealthy: 3, successesBeforeHealthy: 1 };
const T0 = Date.parse('2026-12-01T00:00:00Z');

/** Applies checks one minute apart, starting from `state`; returns every step. */
function run(state: HealthState, observed: SnapshotStatus[], thresholds = DEFAULTS, startMinute = 0): HealthStep[] {
  const steps: HealthStep[] = [];
  observed.forEach((status, index) => {
    const step = nextHealthState(state, status, new Date(T0 + (startMinute + index) * 60_000), thresholds);
    steps.push(step);
    state = step.state;
  });
  return steps;
}

const last = (steps: HealthStep[]) => steps[steps.length - 1];
const statuses = (steps: HealthStep[]) => steps.map((step) => step.state.status);

describe('nextHealthState', () => {
  it('takes the first observation as the status of a service never checked, since that check', () => {
    const [step] = run(UNCHECKED, ['unreachable']);
    expect(step.state).toMatchObject({ status: 'unreachable', consecutiveFailures: 1, consecutiveSuccesses: 0 });
    expect(step.state.since).toEqual(new Date(T0));
    expect(step.previousStatus).toBe('unknown');
  });

  it('keeps a healthy service healthy through two failures: the default needs 3 in a row', () => {
    const steps = run(UNCHECKED, ['healthy', 'degraded', 'unreachable', 'healthy']);
    expect(statuses(steps)).toEqual(['healthy', 'healthy', 'healthy', 'healthy']);
    expect(steps.map((step) => step.state.consecutiveFailures)).toEqual([0, 1, 2, 0]);
    expect(steps.slice(1).map((step) => step.previousStatus)).toEqual([null, null, null]);
    // Still healthy since the first check.
    expect(last(steps).state.since).toEqual(new Date(T0));
  });

  it('turns unhealthy at the third failure in a row, with the status that check observed, since then', () => {
    const steps = run(UNCHECKED, ['healthy', 'degraded', 'degraded', 'unreachable']);
    expect(statuses(steps)).toEqual(['healthy', 'healthy', 'healthy', 'unreachable']);
    expect(last(steps).previousStatus).toBe('healthy');
    expect(last(steps).state.since).toEqual(new Date(T0 + 3 * 60_000));
    expect(last(steps).state.consecutiveFailures).toBe(3);
  });

  it('restores an unhealthy service with one success by default', () => {
    const steps = run(UNCHECKED, ['healthy', 'degraded', 'degraded', 'degraded', 'healthy']);
    expect(statuses(steps)).toEqual(['healthy', 'healthy', 'healthy', 'degraded', 'healthy']);
    expect(last(steps)).toMatchObject({ previousStatus: 'degraded', state: { consecutiveSuccesses: 1, consecutiveFailures: 0 } });
    expect(last(steps).state.since).toEqual(new Date(T0 + 4 * 60_000));
  });

  it('follows the kind of failure while the service stays unhealthy', () => {
    const steps = run(UNCHECKED, ['degraded', 'unreachable', 'degraded']);
    expect(statuses(steps)).toEqual(['degraded', 'unreachable', 'degraded']);
    expect(steps.map((step) => step.previousStatus)).toEqual(['unknown', 'degraded', 'unreachable']);
  });

  it('honours a service’s own thresholds', () => {
    const strict = effectiveThresholds(DEFAULTS, { failuresBeforeUnhealthy: 1, successesBeforeHealthy: 3 });
    expect(strict).toEqual({ failuresBeforeUnhealthy: 1, successesBeforeHealthy: 3 });
    const steps = run(UNCHECKED, ['healthy', 'unreachable', 'healthy', 'healthy', 'unreachable', 'healthy', 'healthy', 'healthy'], strict);
    expect(statuses(steps)).toEqual(['healthy', 'unreachable', 'unreachable', 'unreachable', 'unreachable', 'unreachable', 'unreachable', 'healthy']);
  });

  it('takes the default for a threshold the service does not set', () => {
    expect(effectiveThresholds(DEFAULTS, { successesBeforeHealthy: 2 })).toEqual({ failuresBeforeUnhealthy: 3, successesBeforeHealthy: 2 });
    expect(effectiveThresholds(DEFAULTS, { failuresBeforeUnhealthy: null })).toEqual(DEFAULTS);
    expect(effectiveThresholds(DEFAULTS, null)).toEqual(DEFAULTS);
  });

  it('counts the first check of a re-pointed service as a first check, recording the change from the old status', () => {
    const [, healthy] = run(UNCHECKED, ['healthy', 'healthy']);
    const step = nextHealthState(healthy.state, 'unreachable', new Date(T0 + 5 * 60_000), DEFAULTS, { retargeted: true });
    expect(step).toMatchObject({ previousStatus: 'healthy', state: { status: 'unreachable', consecutiveFailures: 1, recentStatuses: ['unreachable'] } });
    expect(step.state.since).toEqual(new Date(T0 + 5 * 60_000));
    const same = nextHealthState(healthy.state, 'healthy', new Date(T0 + 5 * 60_000), DEFAULTS, { retargeted: true });
    expect(same).toMatchObject({ previousStatus: null, state: { status: 'healthy', since: new Date(T0) } });
  });

  it('continues a count from the stored state (another replica, or a restart, checks next)', () => {
    const [first, second] = run(UNCHECKED, ['healthy', 'unreachable']);
    // The state is all a replica needs: serialise it as the latest row would and go on.
    const stored: HealthState = JSON.parse(JSON.stringify(second.state), (key, value) => (key === 'since' ? new Date(value) : value));
    const [third] = run(stored, ['unreachable'], DEFAULTS, 2);
    expect(third.state).toMatchObject({ status: 'healthy', consecutiveFailures: 2 });
    const [fourth] = run(third.state, ['unreachable'], DEFAULTS, 3);
    expect(fourth.state.status).toBe('unreachable');
    expect(first.state.status).toBe('healthy');
  });
});

describe('flapping', () => {
  it('is not flapping after fail, fail, recover (2 changes)', () => {
    expect(last(run(UNCHECKED, ['healthy', 'degraded', 'degraded', 'healthy'])).flapping).toBe(false);
  });

  it('is flapping once the raw status changed more than 3 times in the last 10 checks, even though the effective status never moved', () => {
    const steps = run(UNCHECKED, ['healthy', 'degraded', 'healthy', 'degraded', 'healthy']);
    expect(steps.map((step) => step.flapping)).toEqual([false, false, false, false, true]);
    expect(statuses(steps).every((status) => status === 'healthy')).toBe(true);
  });

  it('stops flapping when the changes leave the 10-check window', () => {
    const flappy: SnapshotStatus[] = ['healthy', 'degraded', 'healthy', 'degraded', 'healthy'];
    const steps = run(UNCHECKED, [...flappy, ...Array<SnapshotStatus>(FLAPPING_WINDOW).fill('healthy')]);
    expect(last(steps).flapping).toBe(false);
    expect(last(steps).state.recentStatuses).toHaveLength(FLAPPING_WINDOW);
    // The 10th check (index 9) still sees all 4 changes; the 11th no longer sees the first one.
    expect(steps.map((step) => step.flapping).lastIndexOf(true)).toBe(9);
  });

  it('counts a change between kinds of failure too', () => {
    expect(isFlapping(['degraded', 'unreachable', 'degraded', 'unreachable', 'degraded'])).toBe(true);
    expect(isFlapping(['degraded', 'unreachable', 'degraded', 'unreachable'])).toBe(false);
  });
});
