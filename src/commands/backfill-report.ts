import type { ModuleBackfillReport } from '../manifests/backfill.service';

/**
 * The report of one module: what the operator should know (notes, bootstrap, the dry run's
 * plan), then the SPEC's summary line last, so `tail -1` is the result.
 */
export function backfillReportLines({ result, notes, bootstrap, bootstrapNotRun }: ModuleBackfillReport): string[] {
  const { services, networks } = result;
  const lines: string[] = [];
  for (const note of notes) lines.push(`note: ${note}`);
  for (const line of bootstrap) lines.push(line);
  if (bootstrapNotRun > 0) {
    lines.push(`bootstrap: ${bootstrapNotRun} action(s) not run (${result.dryRun ? 'dry run' : 'pass --no-bootstrap or --run-bootstrap to run them'})`);
  }
  if (result.dryRun) {
    for (const { slug, action } of result.plan.services) lines.push(`plan: service ${slug}: ${action}`);
    for (const { id, action } of result.plan.networks) lines.push(`plan: network ${id}: ${action}`);
  }
  if (networks.added + networks.changed + networks.removed > 0) {
    lines.push(`networks: ${networks.added} added, ${networks.changed} changed, ${networks.unchanged} unchanged, ${networks.removed} removed`);
  }
  lines.push(
    `Module ${result.moduleId}@${result.version}: ${services.total} services (${services.added} added, ${services.changed} changed, ` +
      `${services.unchanged} unchanged, ${services.removed} removed), ${networks.total} networks` +
      (result.dryRun ? ' [dry run: nothing written]' : ''),
  );
  return lines;
}
