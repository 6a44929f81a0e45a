import { EnvEntry, JsonValue, Located, ManifestFileContent, ModuleDescriptor, RawEnvValue, RawNetworkEntry, RawServiceEntry } from './manifest.types';
import { joinPath, ManifestProblem, ProblemCollector } from './manifest-problems';
import { DESCRIPTOR_SCHEMA_FILE, MANIFEST_SCHEMA_FILE, SchemaCheck } from './manifest-schemas';
import { TemplateError, TemplateRenderer } from './template-renderer';

/** Descriptor keys the registry reads; any other key is ignored (and noted). */
export const USED_DESCRIPTOR_KEYS = ['module', 'manifestPath', 'manifests', 'placeholders', 'bootstrap'] as const;

let schemas: { manifest: SchemaCheck; descriptor: SchemaCheck } | null = null;

/** The compiled schemas, compiled once per process. */
function compiledSchemas(): { manifest: SchemaCheck; descriptor: SchemaCheck } {
  schemas ??= { manifest: SchemaCheck.load(MANIFEST_SCHEMA_FILE), descriptor: SchemaCheck.load(DESCRIPTOR_SCHEMA_FILE) };
  return schemas;
}

/**
 * Validates module descriptors and manifest files. The format is data: the JSON Schemas in
 * `schemas/` say what each file may hold (enforced with Ajv, every problem at once). Code keeps
 * only the rules that span entries, which a schema cannot say: keys declared twice in a list,
 * network members (`dependsOn` naming members, no cycles, `launchOrder` naming members once),
 * slugs and network ids declared twice across a module's files.
 */
export class ManifestValidator {
  /** Validates one manifest file's parsed JSON; its problems are added to `problems`. */
  static validateManifestFile(value: unknown, file: string, problems: ManifestProblem[]): ManifestFileContent | null {
    if (!compiledSchemas().manifest.check(value, file, problems)) return null;
    const before = problems.length;
    const out = new ProblemCollector(file, problems);
    const root = value as { services?: RawServiceEntry[]; networks?: RawNetworkEntry[] } | RawServiceEntry[];
    const services = Array.isArray(root) ? root : (root.services ?? []);
    const networks = Array.isArray(root) ? [] : (root.networks ?? []);
    const servicesPath = Array.isArray(root) ? '' : 'services';
    // A key can only be declared twice in a list of two or more (most entries have fewer).
    services.forEach((service, index) => {
      if ((service.env?.length ?? 0) > 1) checkEnvKeys(out, service.env, joinPath(joinPath(servicesPath, index), 'env'));
    });
    networks.forEach((network, index) => checkNetwork(out, network, joinPath('networks', index)));
    return problems.length > before ? null : { services, networks };
  }

  /** Validates a module descriptor (`config.json` / `service-config.json`). */
  static validateDescriptor(value: unknown, file: string, problems: ManifestProblem[]): ModuleDescriptor | null {
    if (!compiledSchemas().descriptor.check(value, file, problems)) return null;
    const root = value as Record<string, unknown> & Omit<ModuleDescriptor, 'bootstrapActions' | 'ignored'> & { bootstrap?: { actions?: unknown[] } };
    const out = new ProblemCollector(file, problems);
    const before = problems.length;
    const names = new Map<string, string>();
    (root.placeholders ?? []).forEach(({ name }, index) => {
      const path = joinPath(joinPath('placeholders', index), 'name');
      const earlier = names.get(name);
      if (earlier) out.report(path, `duplicate placeholder "${name}" (also at ${earlier})`);
      else names.set(name, path);
    });
    if (problems.length > before) return null;
    const used: readonly string[] = USED_DESCRIPTOR_KEYS;
    return {
      module: root.module,
      manifestPath: root.manifestPath,
      manifests: root.manifests,
      placeholders: root.placeholders ?? [],
      bootstrapActions: (root.bootstrap?.actions ?? []) as ModuleDescriptor['bootstrapActions'],
      ignored: Object.fromEntries(Object.entries(root).filter(([key]) => !used.includes(key))) as Record<string, JsonValue>,
    };
  }

  /**
   * Checks that every template of a descriptor parses and names known filters (placeholder
   * defaults and the strings of the actions this registry runs), so `validate` and a backfill
   * refuse a broken template before anything runs.
   */
  static checkTemplates(descriptor: ModuleDescriptor, file: string, templates: TemplateRenderer, problems: ManifestProblem[]): void {
    const out = new ProblemCollector(file, problems);
    const check = (template: unknown, path: string) => {
      if (typeof template !== 'string') return;
      try {
        templates.check(template);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        out.report(path, error.message);
      }
    };
    descriptor.placeholders.forEach((placeholder, index) => check(placeholder.default, joinPath(joinPath('placeholders', index), 'default')));
    descriptor.bootstrapActions.forEach((action, index) => {
      const path = joinPath('bootstrap.actions', index);
      if (action.type === 'setEnvDefaults') {
        for (const [key, template] of Object.entries((action as { values: Record<string, unknown> }).values)) check(template, joinPath(joinPath(path, 'values'), key));
      } else if (action.type === 'ensureDirectories') {
        (action as { directories: string[] }).directories.forEach((template, entry) => check(template, joinPath(joinPath(path, 'directories'), entry)));
      } else if (action.type === 'writeJsonFile') {
        const { path: target, content } = action as { path: string; content: JsonValue };
        check(target, joinPath(path, 'path'));
        forEachString(content, joinPath(path, 'content'), check);
      }
    });
  }

  /** Checks across a module's files: a slug or network id declared twice. */
  static checkModuleEntries(
    services: Located<RawServiceEntry>[],
    networks: Located<RawNetworkEntry>[],
    problems: ManifestProblem[],
  ): void {
    reportDuplicates(services, (entry) => entry.slug, 'slug', 'service slug', problems);
    reportDuplicates(networks, (entry) => entry.id, 'id', 'network id', problems);
  }
}

/** Calls `visit` with every string of a JSON value (keys too), at its JSON path. */
function forEachString(value: JsonValue, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, joinPath(path, index), visit));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      visit(key, joinPath(path, key));
      forEachString(item, joinPath(path, key), visit);
    }
  }
}

/** Paths are written only for a duplicate: a module's entries are checked by the thousand. */
function reportDuplicates<T>(items: Located<T>[], keyOf: (entry: T) => string, field: string, what: string, problems: ManifestProblem[]): void {
  const first = new Map<string, Located<T>>();
  for (const item of items) {
    const key = keyOf(item.entry);
    const earlier = first.get(key);
    if (earlier) {
      const earlierAt = joinPath(earlier.path, field);
      const where = earlier.file === item.file ? earlierAt : `${earlier.file}: ${earlierAt}`;
      problems.push({ file: item.file, path: joinPath(item.path, field), message: `duplicate ${what} "${key}" (also at ${where})` });
    } else {
      first.set(key, item);
    }
  }
}

/** An env list may name a key once. */
function checkEnvKeys(out: ProblemCollector, env: EnvEntry<RawEnvValue>[] | undefined, path: string): void {
  const keys = new Map<string, string>();
  env?.forEach(({ key }, index) => {
    const keyPath = joinPath(joinPath(path, index), 'key');
    const earlier = keys.get(key);
    if (earlier) out.report(keyPath, `duplicate env key "${key}" (also at ${earlier})`);
    else keys.set(key, keyPath);
  });
}

/** A network's members: each once, `dependsOn` naming other members without a cycle, `launchOrder` naming members once. */
function checkNetwork(out: ProblemCollector, network: RawNetworkEntry, path: string): void {
  checkEnvKeys(out, network.env, joinPath(path, 'env'));
  const memberPaths = new Map<string, string>();
  const dependencies = new Map<string, { dependsOn: string[]; path: string }>();
  network.services.forEach((member, index) => {
    const memberPath = joinPath(joinPath(path, 'services'), index);
    const earlier = memberPaths.get(member.serviceSlug);
    if (earlier) out.report(joinPath(memberPath, 'serviceSlug'), `"${member.serviceSlug}" is already a member of this network (at ${earlier})`);
    else memberPaths.set(member.serviceSlug, memberPath);
    checkEnvKeys(out, member.env, joinPath(memberPath, 'env'));
    checkEnvKeys(out, member.app.launchEnv, joinPath(joinPath(memberPath, 'app'), 'launchEnv'));
    if (member.dependsOn && !earlier) dependencies.set(member.serviceSlug, { dependsOn: member.dependsOn, path: joinPath(memberPath, 'dependsOn') });
  });

  for (const [slug, { dependsOn, path: dependsOnPath }] of dependencies) {
    dependsOn.forEach((dependency, index) => {
      if (!memberPaths.has(dependency)) out.report(joinPath(dependsOnPath, index), `"${dependency}" is not a member of network "${network.id}"`);
      else if (dependency === slug) out.report(joinPath(dependsOnPath, index), `"${slug}" depends on itself`);
    });
  }
  for (const cycle of findCycles(dependencies)) {
    out.report(dependencies.get(cycle[0])!.path, `forms a cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
  }

  const listed = new Set<string>();
  network.launchOrder?.forEach((slug, index) => {
    const at = joinPath(joinPath(path, 'launchOrder'), index);
    if (!memberPaths.has(slug)) out.report(at, `"${slug}" is not a member of this network`);
    else if (listed.has(slug)) out.report(at, `"${slug}" is listed twice`);
    listed.add(slug);
  });
}

/** Every dependency cycle (of two or more members) once, as the list of its members. */
function findCycles(graph: Map<string, { dependsOn: string[] }>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node)?.dependsOn ?? []) {
      if (next === node || !graph.has(next)) continue;
      if (state.get(next) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
