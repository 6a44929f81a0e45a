import { formatProblem, ManifestValidationError } from '../manifests/manifest-problems';
import { ModuleLoader } from '../manifests/module-loader';
import { PlaceholderResolver } from '../manifests/placeholder-resolver';
import { LocalRegistry } from './local-registry';

/** A module directory of `SERVICE_MANIFEST_PATHS` that cannot seed the local store. */
export class LocalSeedError extends Error {
  constructor(path: string, reason: string) {
    super(`SERVICE_MANIFEST_PATHS entry "${path}" cannot seed the local registry: ${reason}`);
    this.name = 'LocalSeedError';
  }
}

/**
 * Builds the local store from the module directories in `SERVICE_MANIFEST_PATHS`, before the
 * application is created, with the backfill's loading, validation and placeholder resolution
 * (no `--var`: the descriptors' defaults and the environment), so each service gets the same
 * definition and checksum a backfill of the same directory stores. A directory that does not
 * load, or that conflicts with an earlier one, throws a `LocalSeedError`: one line naming the
 * entry and every problem.
 */
export async function seedLocalRegistry(paths: string[], env: NodeJS.ProcessEnv = process.env): Promise<LocalRegistry> {
  const loader = new ModuleLoader();
  const resolver = new PlaceholderResolver();
  const registry = new LocalRegistry();
  for (const path of paths) {
    try {
      const module = await loader.load({ path });
      registry.seedModule(resolver.resolve(module, { variables: {}, env: { ...env } }));
    } catch (error) {
      throw new LocalSeedError(path, oneLine(error));
    }
  }
  return registry;
}

/** A validation error's summary and every problem, or any error's message, on one line. */
function oneLine(error: unknown): string {
  if (error instanceof ManifestValidationError) return [error.subject, ...error.problems.map(formatProblem)].join('; ');
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, '; ');
}
