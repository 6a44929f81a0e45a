import { Injectable } from '@nestjs/common';
import { PLACEHOLDER_NAME } from '../identifiers';
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
  SetEnvDefaultsAction,
} from './manifest.types';
import { joinPath, ManifestProblem, ManifestValidationError } from './manifest-problems';
import { isPlainObject } from './manifest-validator';
import { TemplateError, TemplateRenderer, TemplateScope } from './template-renderer';

/** A string that is exactly `${NAME}` is a placeholder; anything else is a literal. */
const WHOLE_STRING_PLACEHOLDER = new RegExp(`^\\$\\{(${PLACEHOLDER_NAME.pattern.source.slice(1, -1)})\\}$`);

export interface PlaceholderInputs {
  /** `--var NAME=VALUE` values: they win over every default. */
  variables: Record<string, string>;
  /** The process environment templates see as `env` (before `setEnvDefaults`). */
  env: Record<string, string | undefined>;
}

/** What one `setEnvDefaults` action did to the environment templates see. */
export interface EnvDefaultsOutcome {
  /** Index in `bootstrap.actions`. */
  index: number;
  /** Keys it gave a value. */
  set: string[];
  /** Keys already set in the environment (kept). */
  kept: string[];
}

/**
 * A module's defaults, computed without side effects: the environment with every
 * `setEnvDefaults` action applied (a variable already set is kept), the module-level
 * placeholder values (descriptor defaults, `setEnvDefaults` values) and the scope the
 * module's templates render in.
 */
export interface ModuleDefaults {
  env: Record<string, string | undefined>;
  /** Placeholder name → its module-level default and where it comes from. */
  defaults: Map<string, { value: string; source: 'module-default' | 'env-default' }>;
  envDefaults: EnvDefaultsOutcome[];
  /** `env`, `placeholders` (--var over the defaults), `variables`, `module`. */
  scope: TemplateScope;
}

interface Usage {
  file: string;
  path: string;
}

/** What one definition used: placeholder name → where its value came from. */
type UsedPlaceholders = Record<string, PlaceholderSource>;

/**
 * Replaces placeholders in env values (SPEC §3). For a NAME the value is, in order: the
 * `--var`; the `$var` object's own default; the descriptor's `placeholders[].default` (a
 * template); the value a `setEnvDefaults` action gives NAME (its template rendered, or the
 * environment's value, which the action keeps). Every missing placeholder is reported at
 * once, with every place it is used.
 */
@Injectable()
export class PlaceholderResolver {
  constructor(private readonly templates: TemplateRenderer = new TemplateRenderer()) {}

  resolve(module: LoadedModule, inputs: PlaceholderInputs): ResolvedModule {
    const problems: ManifestProblem[] = [];
    const { defaults } = this.moduleDefaults(module, inputs, problems);
    const missing = new Map<string, Usage[]>();

    const resolveEnv = (list: EnvEntry<RawEnvValue>[] | undefined, file: string, path: string, used: UsedPlaceholders) =>
      list?.map((entry, index) => {
        if (entry.value === undefined) return entry as EnvEntry;
        const valuePath = joinPath(joinPath(path, index), 'value');
        const reference = placeholderReference(entry.value);
        if (!reference) return entry as EnvEntry;
        const found = lookup(reference, inputs.variables, defaults);
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

  /**
   * The module's defaults (see ModuleDefaults). `setEnvDefaults` actions are applied in
   * order, each rendered with the environment earlier ones left and the descriptor defaults
   * it gives; then the descriptor defaults are rendered against the final environment, in
   * declaration order (`placeholders` holds the `--var` values and the defaults rendered so
   * far, so a default may build on another). A template that renders empty (or null) from
   * non-empty text gives no value. Problems (a template failing to render) go to `problems`.
   */
  moduleDefaults(module: LoadedModule, inputs: PlaceholderInputs, problems: ManifestProblem[] = []): ModuleDefaults {
    const env: Record<string, string | undefined> = { ...inputs.env };
    const file = module.descriptorFile ?? '(descriptor)';
    const moduleScope = { id: module.moduleId };
    const envDefaults: EnvDefaultsOutcome[] = [];
    const envDefaultKeys = new Set<string>();

    module.bootstrapActions.forEach((action, index) => {
      if (action.type !== 'setEnvDefaults') return;
      const placeholders = { ...this.descriptorDefaults(module, env, inputs.variables, []), ...inputs.variables };
      const outcome: EnvDefaultsOutcome = { index, set: [], kept: [] };
      for (const [key, template] of Object.entries((action as SetEnvDefaultsAction).values)) {
        envDefaultKeys.add(key);
        if (env[key] !== undefined && env[key] !== '') {
          outcome.kept.push(key);
          continue;
        }
        const path = joinPath(joinPath(joinPath('bootstrap.actions', index), 'values'), key);
        const value = this.renderText(String(template), { env, placeholders, variables: inputs.variables, module: moduleScope }, file, path, problems);
        if (value === undefined) continue;
        env[key] = value;
        outcome.set.push(key);
      }
      envDefaults.push(outcome);
    });

    const defaults = new Map<string, { value: string; source: 'module-default' | 'env-default' }>();
    for (const key of envDefaultKeys) {
      const value = env[key];
      if (value !== undefined && value !== '') defaults.set(key, { value, source: 'env-default' });
    }
    for (const [name, value] of Object.entries(this.descriptorDefaults(module, env, inputs.variables, problems))) {
      defaults.set(name, { value, source: 'module-default' });
    }
    const placeholders = { ...Object.fromEntries([...defaults].map(([name, { value }]) => [name, value])), ...inputs.variables };
    return { env, defaults, envDefaults, scope: { env, placeholders, variables: inputs.variables, module: moduleScope } };
  }

  /** The descriptor's `placeholders[].default` values, rendered in declaration order. */
  private descriptorDefaults(
    module: LoadedModule,
    env: Record<string, string | undefined>,
    variables: Record<string, string>,
    problems: ManifestProblem[],
  ): Record<string, string> {
    const rendered: Record<string, string> = {};
    const placeholders: Record<string, string> = { ...variables };
    module.placeholders.forEach((placeholder, index) => {
      if (placeholder.default === undefined || placeholder.name in variables) return;
      const path = joinPath(joinPath('placeholders', index), 'default');
      const scope = { env, placeholders, variables, module: { id: module.moduleId } };
      const value = this.renderText(placeholder.default, scope, module.descriptorFile ?? '(descriptor)', path, problems);
      if (value === undefined) return;
      rendered[placeholder.name] = value;
      placeholders[placeholder.name] = value;
    });
    return rendered;
  }

  /** A template rendered as text; undefined when it gives no value (or failed: reported). */
  private renderText(template: string, scope: TemplateScope, file: string, path: string, problems: ManifestProblem[]): string | undefined {
    try {
      const value = this.templates.renderString(template, scope);
      return value === '' && template !== '' ? undefined : value;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ file, path, message: error.message });
      return undefined;
    }
  }
}

function lookup(
  reference: { name: string; manifestDefault?: string },
  variables: Record<string, string>,
  defaults: ModuleDefaults['defaults'],
): { value: string; source: PlaceholderSource } | null {
  if (Object.prototype.hasOwnProperty.call(variables, reference.name)) return { value: variables[reference.name], source: 'var' };
  if (reference.manifestDefault !== undefined) return { value: reference.manifestDefault, source: 'manifest-default' };
  return defaults.get(reference.name) ?? null;
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
