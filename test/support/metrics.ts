/** The value of an unlabelled sample in a Prometheus text exposition (`/metrics`). */
export function metricValue(exposition: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(exposition);
  if (!match) throw new Error(`no ${name} sample in /metrics`);
  return Number(match[1]);
}
