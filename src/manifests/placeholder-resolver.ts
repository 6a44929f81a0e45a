import { Injectable } from '@nestjs/common';
import { Liquid } from 'liquidjs';
import {
  EnvEntry,
  LoadedModule,
  Located,
  NetworkEntry,
  PlaceholderSource,
  RawEnvValue,
  RawNetworkEntry,
  RawServiceEntry,
  ResolvedModule,
  ServiceEntry,
} from './manifest.types';
import { joinPath, ManifestProblem, ManifestValidationError } from './manifest-problems';
import { isPlainObject } from './manifest-validator';

/** A string that is exactly `${NAME}` is a placeholder; anything else is a literal. */
const WHOLE_STRING_PLACEHOLDER = /^\$\{([A-Za-z0-9_]+)\}$/;

/**
 * A bare absolute path as a filter argument (`{{ env.X | default: /tmp }}`, as the SPEC
 * writes it) is not valid Liquid; it is read as the string it obviously means.
 */
const BARE_PATH_ARGUMENT = /(\|\s*[A-Za-z_]\w*\s*:\s*)(\/[^\s,|}'"]*)/g;

export interface PlaceholderInputs {
  /** `--var NAME=VALUE` values: they win over every default. */
  variables: Record<string, string>;
  /** The environment Liquid defaults see as `env`. */
  env: Record<string, string | undefined>;
}

interface Usage {
  file: string;
  path: string;
}

/** What one definition used: placeholder name → where its value came from. */
type UsedPlaceholders = Record<string, PlaceholderSource>;

/**
 * Replaces placeholders in env values (SPEC §3). For a NAME the value is, in order: the
 * `--var`, the `$var` object's own default, the module descriptor's `placeholders[].default`
 * (rendered as a Liquid template with `env`, `placeholders` and `variables` in scope).
 * Every missing placeholder is reported at once, with every place it is used.
 */
@Injectable()
export class PlaceholderResolver {
  private readonly liquid = new Liquid({ strictFilters: true, strictVariables: false });

  resolve(module: LoadedModule, inputs: PlaceholderInputs): ResolvedModule {
    const problems: ManifestProblem[] = [];
    const moduleDefaults = this.renderModuleDefaults(module, inputs, problems);
    const missing = new Map<string, Usage[]>();

    const resolveEnv = (list: EnvEntry<RawEnvValue>[] | undefined, file: string, path: string, used: UsedPlaceholders) =>
      list?.map((entry, index) => {
        if (entry.value === undefined) return entry as EnvEntry;
        const valuePath = joinPath(joinPath(path, index), 'value');
        const reference = placeholderReference(entry.value);
        if (!reference) return entry as EnvEntry;
        const found = this.lookup(reference, inputs.variables, moduleDefaults);
        if (!found) {
          const usages = missing.get(reference.name) ?? [];
          usages.push({ file, path: valuePath });
          missing.set(reference.name, usages);
          return entry as EnvEntry;
        }
        used[reference.name] = found.source;
        return { ...entry, value: found.value };
      });

    const services = module.services.map(({ file, path, entry }: Located<RawServiceEntry>) => {
      const used: UsedPlaceholders = {};
      const definition: ServiceEntry = { ...entry, env: resolveEnv(entry.env, file, joinPath(path, 'env'), used) };
      if (entry.env === undefined) delete definition.env;
      return { slug: entry.slug, definition: withPlaceholders(definition, used) };
    });

    const networks = module.networks.map(({ file, path, entry }: Located<RawNetworkEntry>) => {
      const used: UsedPlaceholders = {};
      const definition: NetworkEntry = {
        ...entry,
        env: resolveEnv(entry.env, file, joinPath(path, 'env'), used),
        services: entry.services.map((member, index) => {
          const memberPath = joinPath(joinPath(path, 'services'), index);
          const resolved = {
            ...member,
            env: resolveEnv(member.env, file, joinPath(memberPath, 'env'), used),
            app: { ...member.app, launchEnv: resolveEnv(member.app.launchEnv, file, joinPath(joinPath(memberPath, 'app'), 'launchEnv'), used) },
          };
          if (member.env === undefined) delete resolved.env;
          if (member.app.launchEnv === undefined) delete resolved.app.launchEnv;
          return resolved;
        }),
      };
      if (entry.env === undefined) delete definition.env;
      return { id: entry.id, definition: withPlaceholders(definition, used) };
    });

    for (const [name, usages] of missing) {
      const [first, ...others] = usages;
      const elsewhere = others.length
        ? `; also used at ${others.map((usage) => (usage.file === first.file ? usage.path : `${usage.file}: ${usage.path}`)).join(', ')}`
        : '';
      problems.push({
        file: first.file,
        path: first.path,
        message: `placeholder "${name}" has no value (pass --var ${name}=VALUE or give it a default)${elsewhere}`,
      });
    }
    if (problems.length > 0) throw new ManifestValidationError(`module "${module.moduleId}" cannot be resolved`, problems);
    return { moduleId: module.moduleId, services, networks };
  }

  /** Renders a Liquid template (bootstrap actions use the same engine and leniency). */
  render(template: string, scope: Record<string, unknown>): string {
    return this.liquid.parseAndRenderSync(template.replace(BARE_PATH_ARGUMENT, '$1"$2"'), scope);
  }

  /**
   * The descriptor's defaults, rendered in declaration order: `placeholders` holds the
   * `--var` values and the defaults rendered so far, so a default may build on another.
   * A default that renders empty from a non-empty template counts as no default.
   */
  renderModuleDefaults(module: LoadedModule, inputs: PlaceholderInputs, problems: ManifestProblem[] = []): Map<string, string> {
    const rendered = new Map<string, string>();
    const placeholders: Record<string, string> = { ...inputs.variables };
    module.placeholders.forEach((placeholder, index) => {
      if (placeholder.default === undefined || placeholder.name in inputs.variables) return;
      try {
        const value = this.render(placeholder.default, { env: inputs.env, placeholders, variables: inputs.variables });
        if (value === '' && placeholder.default !== '') return;
        rendered.set(placeholder.name, value);
        placeholders[placeholder.name] = value;
      } catch (error) {
        problems.push({
          file: module.descriptorFile ?? '(descriptor)',
          path: joinPath(joinPath('placeholders', index), 'default'),
          message: `is not a valid Liquid template: ${(error as Error).message}`,
        });
      }
    });
    return rendered;
  }

  private lookup(
    reference: { name: string; manifestDefault?: string },
    variables: Record<string, string>,
    moduleDefaults: Map<string, string>,
  ): { value: string; source: PlaceholderSource } | null {
    if (Object.prototype.hasOwnProperty.call(variables, reference.name)) return { value: variables[reference.name], source: 'var' };
    if (reference.manifestDefault !== undefined) return { value: reference.manifestDefault, source: 'manifest-default' };
    const moduleDefault = moduleDefaults.get(reference.name);
    if (moduleDefault !== undefined) return { value: moduleDefault, source: 'module-default' };
    return null;
  }
}

/** The placeholder an env value refers to, or null for a literal. */
export function placeholderReference(value: RawEnvValue): { name: string; manifestDefault?: string } | null {
  if (typeof value === 'string') {
    const match = WHOLE_STRING_PLACEHOLDER.exec(value);
    return match ? { name: match[1] } : null;
  }
  if (isPlainObject(value) && isPlainObject(value.$var)) return { name: value.$var.name, manifestDefault: value.$var.default };
  return null;
}

/** Records which placeholders a definition used, and from where (stored with it). */
function withPlaceholders<T extends object>(definition: T, used: UsedPlaceholders): T & { placeholders?: UsedPlaceholders } {
  return Object.keys(used).length === 0 ? definition : { ...definition, placeholders: used };
}
