import {
  FROM_SERVICE_PROPERTIES,
  Located,
  MANIFEST_KINDS,
  ManifestFileContent,
  ModuleDescriptor,
  RawNetworkEntry,
  RawServiceEntry,
  SUPPORTED_BOOTSTRAP_ACTIONS,
} from './manifest.types';
import { MODULE_ID, SERVICE_SLUG } from '../identifiers';
import { joinPath, ManifestProblem, ProblemCollector } from './manifest-problems';

/** Service slugs and network ids: lower-case letters, digits and `-`, 1–100 characters. */
export const SLUG_PATTERN = SERVICE_SLUG.pattern;
/** Placeholder names: letters, digits and `_`. */
export const PLACEHOLDER_NAME_PATTERN = /^[A-Za-z0-9_]+$/;
/** Module ids: like slugs, and `_`/`.` (they appear in service ids as `module:<id>:<slug>`). */
export const MODULE_ID_PATTERN = MODULE_ID.pattern;
const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SLUG_RULE = 'lower-case letters, digits and "-", 1–100 characters';

/**
 * A strict, hand-written validator of the module descriptor and the manifest format of
 * SPEC §3. It never stops at the first problem: every problem of a file is reported, each
 * at its JSON path, so an operator fixes a file in one go.
 */
export class ManifestValidator {
  /** Validates one manifest file's parsed JSON; its problems are added to `problems`. */
  static validateManifestFile(value: unknown, file: string, problems: ManifestProblem[]): ManifestFileContent | null {
    const before = problems.length;
    const out = new ProblemCollector(file, problems);
    const shape = new Shape(out);
    let services: unknown[] = [];
    let networks: unknown[] = [];
    let servicesPath = 'services';
    if (Array.isArray(value)) {
      services = value;
      servicesPath = '';
      if (value.length === 0) out.report('', 'is an empty list of services');
    } else {
      const root = shape.object(value, '', [], ['services', 'networks']);
      if (!root) return null;
      services = shape.array(root.services, 'services') ?? [];
      networks = shape.array(root.networks, 'networks') ?? [];
      if (services.length === 0 && networks.length === 0 && problems.length === before) {
        out.report('', 'declares no services and no networks (give a non-empty "services" or "networks")');
      }
    }
    services.forEach((service, index) => checkService(shape, service, joinPath(servicesPath, index)));
    networks.forEach((network, index) => checkNetwork(shape, network, joinPath('networks', index)));
    if (problems.length > before) return null;
    return { services: services as RawServiceEntry[], networks: networks as RawNetworkEntry[] };
  }

  /** Validates a module descriptor (`config.json` / `service-config.json`). */
  static validateDescriptor(value: unknown, file: string, problems: ManifestProblem[]): ModuleDescriptor | null {
    const before = problems.length;
    const shape = new Shape(new ProblemCollector(file, problems));
    const root = shape.object(value, '', ['module'], [
      'manifestPath',
      'manifests',
      'placeholders',
      'bootstrap',
      // Informational keys a module descriptor commonly carries.
      'name',
      'version',
      'description',
      '$schema',
    ]);
    if (!root) return null;
    shape.string(root.module, 'module', { pattern: MODULE_ID_PATTERN, rule: 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit' });
    for (const key of ['name', 'version', 'description', '$schema']) shape.string(root[key], key, { optional: true, allowEmpty: true });

    if (root.manifestPath !== undefined && root.manifests !== undefined) {
      shape.report('manifests', 'give either "manifestPath" or "manifests", not both');
    } else if (root.manifestPath === undefined && root.manifests === undefined) {
      shape.report('', 'needs "manifestPath" (one manifest file) or "manifests" (a list of { path, kind })');
    }
    shape.string(root.manifestPath, 'manifestPath', { optional: true });
    shape.array(root.manifests, 'manifests', { nonEmpty: true })?.forEach((manifest, index) => {
      const path = joinPath('manifests', index);
      const entry = shape.object(manifest, path, ['path'], ['kind', 'description']);
      if (!entry) return;
      shape.string(entry.path, joinPath(path, 'path'));
      shape.oneOf(entry.kind, joinPath(path, 'kind'), MANIFEST_KINDS, { optional: true });
      shape.string(entry.description, joinPath(path, 'description'), { optional: true, allowEmpty: true });
    });

    const placeholderNames = new Map<string, string>();
    shape.array(root.placeholders, 'placeholders')?.forEach((placeholder, index) => {
      const path = joinPath('placeholders', index);
      const entry = shape.object(placeholder, path, ['name'], ['description', 'default']);
      if (!entry) return;
      const name = shape.string(entry.name, joinPath(path, 'name'), { pattern: PLACEHOLDER_NAME_PATTERN, rule: 'letters, digits and "_"' });
      if (name !== undefined) {
        const earlier = placeholderNames.get(name);
        if (earlier) shape.report(joinPath(path, 'name'), `duplicate placeholder "${name}" (also at ${earlier})`);
        else placeholderNames.set(name, joinPath(path, 'name'));
      }
      shape.string(entry.description, joinPath(path, 'description'), { optional: true, allowEmpty: true });
      shape.string(entry.default, joinPath(path, 'default'), { optional: true, allowEmpty: true });
    });

    let bootstrapActions: unknown[] = [];
    const bootstrap = root.bootstrap === undefined ? null : shape.object(root.bootstrap, 'bootstrap', [], ['actions']);
    if (bootstrap) {
      bootstrapActions = shape.array(bootstrap.actions, 'bootstrap.actions') ?? [];
      bootstrapActions.forEach((action, index) => checkBootstrapAction(shape, action, joinPath('bootstrap.actions', index)));
    }

    if (problems.length > before) return null;
    const descriptor = root as unknown as ModuleDescriptor & { bootstrap?: unknown };
    return {
      module: descriptor.module,
      manifestPath: descriptor.manifestPath,
      manifests: descriptor.manifests,
      placeholders: descriptor.placeholders ?? [],
      bootstrapActions: bootstrapActions as ModuleDescriptor['bootstrapActions'],
    };
  }

  /** Checks across a module's files: a slug or network id declared twice. */
  static checkModuleEntries(
    services: Located<RawServiceEntry>[],
    networks: Located<RawNetworkEntry>[],
    problems: ManifestProblem[],
  ): void {
    reportDuplicates(services.map((located) => ({ ...located, key: located.entry.slug, at: joinPath(located.path, 'slug') })), 'service slug', problems);
    reportDuplicates(networks.map((located) => ({ ...located, key: located.entry.id, at: joinPath(located.path, 'id') })), 'network id', problems);
  }
}

function reportDuplicates(items: { file: string; key: string; at: string }[], what: string, problems: ManifestProblem[]): void {
  const first = new Map<string, { file: string; at: string }>();
  for (const item of items) {
    const earlier = first.get(item.key);
    if (earlier) {
      const where = earlier.file === item.file ? earlier.at : `${earlier.file}: ${earlier.at}`;
      problems.push({ file: item.file, path: item.at, message: `duplicate ${what} "${item.key}" (also at ${where})` });
    } else {
      first.set(item.key, item);
    }
  }
}

function checkService(shape: Shape, value: unknown, path: string): void {
  const service = shape.object(value, path, ['slug', 'displayName', 'kind', 'baseUrl'], [
    'healthEndpoint',
    'openapiPath',
    'devCommand',
    'workingDir',
    'capabilities',
    'metadata',
    'tags',
    'env',
  ]);
  if (!service) return;
  shape.slug(service.slug, joinPath(path, 'slug'));
  shape.string(service.displayName, joinPath(path, 'displayName'));
  shape.string(service.kind, joinPath(path, 'kind'));
  shape.httpUrl(service.baseUrl, joinPath(path, 'baseUrl'));
  shape.urlPath(service.healthEndpoint, joinPath(path, 'healthEndpoint'));
  shape.urlPath(service.openapiPath, joinPath(path, 'openapiPath'));
  shape.string(service.devCommand, joinPath(path, 'devCommand'), { optional: true });
  shape.string(service.workingDir, joinPath(path, 'workingDir'), { optional: true });
  if (service.metadata !== undefined) shape.object(service.metadata, joinPath(path, 'metadata'), [], null);
  checkTags(shape, service.tags, joinPath(path, 'tags'));
  checkEnv(shape, service.env, joinPath(path, 'env'));
}

function checkNetwork(shape: Shape, value: unknown, path: string): void {
  const network = shape.object(value, path, ['id', 'name', 'description', 'repoUrl', 'dockerfilePath', 'services'], [
    'tags',
    'env',
    'launchOrder',
  ]);
  if (!network) return;
  shape.slug(network.id, joinPath(path, 'id'));
  shape.string(network.name, joinPath(path, 'name'));
  shape.string(network.description, joinPath(path, 'description'), { allowEmpty: true });
  shape.string(network.repoUrl, joinPath(path, 'repoUrl'));
  shape.string(network.dockerfilePath, joinPath(path, 'dockerfilePath'));
  checkTags(shape, network.tags, joinPath(path, 'tags'));
  checkEnv(shape, network.env, joinPath(path, 'env'));

  const members = shape.array(network.services, joinPath(path, 'services'), { nonEmpty: true }) ?? [];
  const memberPaths = new Map<string, string>();
  const dependencies = new Map<string, { dependsOn: string[]; path: string }>();
  members.forEach((member, index) => {
    const memberPath = joinPath(joinPath(path, 'services'), index);
    const entry = shape.object(member, memberPath, ['serviceSlug', 'app'], ['launchOrder', 'waitForBuild', 'dependsOn', 'env']);
    if (!entry) return;
    const slug = shape.slug(entry.serviceSlug, joinPath(memberPath, 'serviceSlug'));
    if (slug !== undefined) {
      const earlier = memberPaths.get(slug);
      if (earlier) shape.report(joinPath(memberPath, 'serviceSlug'), `"${slug}" is already a member of this network (at ${earlier})`);
      else memberPaths.set(slug, memberPath);
    }
    checkApp(shape, entry.app, joinPath(memberPath, 'app'));
    shape.integer(entry.launchOrder, joinPath(memberPath, 'launchOrder'), { optional: true, min: 0 });
    shape.boolean(entry.waitForBuild, joinPath(memberPath, 'waitForBuild'), { optional: true });
    const dependsOn = shape.slugList(entry.dependsOn, joinPath(memberPath, 'dependsOn'));
    checkEnv(shape, entry.env, joinPath(memberPath, 'env'));
    if (slug !== undefined && dependsOn) dependencies.set(slug, { dependsOn, path: joinPath(memberPath, 'dependsOn') });
  });

  for (const [slug, { dependsOn, path: dependsOnPath }] of dependencies) {
    dependsOn.forEach((dependency, index) => {
      if (!memberPaths.has(dependency)) {
        shape.report(joinPath(dependsOnPath, index), `"${dependency}" is not a member of network "${String(network.id)}"`);
      } else if (dependency === slug) {
        shape.report(joinPath(dependsOnPath, index), `"${slug}" depends on itself`);
      }
    });
  }
  for (const cycle of findCycles(dependencies)) {
    shape.report(dependencies.get(cycle[0])!.path, `forms a cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
  }

  const launchOrder = shape.slugList(network.launchOrder, joinPath(path, 'launchOrder'));
  const listed = new Set<string>();
  launchOrder?.forEach((slug, index) => {
    if (!memberPaths.has(slug)) shape.report(joinPath(joinPath(path, 'launchOrder'), index), `"${slug}" is not a member of this network`);
    else if (listed.has(slug)) shape.report(joinPath(joinPath(path, 'launchOrder'), index), `"${slug}" is listed twice`);
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

function checkApp(shape: Shape, value: unknown, path: string): void {
  const app = shape.object(value, path, ['id', 'name', 'description', 'repoUrl', 'dockerfilePath'], ['tags', 'launchEnv', 'launchCommand']);
  if (!app) return;
  shape.string(app.id, joinPath(path, 'id'));
  shape.string(app.name, joinPath(path, 'name'));
  shape.string(app.description, joinPath(path, 'description'), { allowEmpty: true });
  shape.string(app.repoUrl, joinPath(path, 'repoUrl'));
  shape.string(app.dockerfilePath, joinPath(path, 'dockerfilePath'));
  checkTags(shape, app.tags, joinPath(path, 'tags'));
  checkEnv(shape, app.launchEnv, joinPath(path, 'launchEnv'));
  shape.string(app.launchCommand, joinPath(path, 'launchCommand'), { optional: true });
}

function checkTags(shape: Shape, value: unknown, path: string): void {
  shape.array(value, path)?.forEach((tag, index) => {
    const tagPath = joinPath(path, index);
    const entry = shape.object(tag, tagPath, ['key', 'value'], []);
    if (!entry) return;
    shape.string(entry.key, joinPath(tagPath, 'key'));
    shape.string(entry.value, joinPath(tagPath, 'value'), { allowEmpty: true });
  });
}

function checkEnv(shape: Shape, value: unknown, path: string): void {
  const keys = new Map<string, string>();
  shape.array(value, path)?.forEach((item, index) => {
    const entryPath = joinPath(path, index);
    const entry = shape.object(item, entryPath, ['key'], ['value', 'fromService']);
    if (!entry) return;
    const key = shape.string(entry.key, joinPath(entryPath, 'key'), { pattern: ENV_KEY_PATTERN, rule: 'letters, digits and "_", not starting with a digit' });
    if (key !== undefined) {
      const earlier = keys.get(key);
      if (earlier) shape.report(joinPath(entryPath, 'key'), `duplicate env key "${key}" (also at ${earlier})`);
      else keys.set(key, joinPath(entryPath, 'key'));
    }
    if (entry.value === undefined && entry.fromService === undefined) {
      shape.report(entryPath, 'needs "value" or "fromService"');
    } else if (entry.value !== undefined && entry.fromService !== undefined) {
      shape.report(entryPath, 'has both "value" and "fromService"; give one');
    }
    if (entry.value !== undefined) checkEnvValue(shape, entry.value, joinPath(entryPath, 'value'));
    if (entry.fromService !== undefined) {
      const fromPath = joinPath(entryPath, 'fromService');
      const from = shape.object(entry.fromService, fromPath, ['service', 'property'], ['fallback']);
      if (!from) return;
      shape.slug(from.service, joinPath(fromPath, 'service'));
      shape.oneOf(from.property, joinPath(fromPath, 'property'), FROM_SERVICE_PROPERTIES);
      shape.string(from.fallback, joinPath(fromPath, 'fallback'), { optional: true, allowEmpty: true });
    }
  });
}

function checkEnvValue(shape: Shape, value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (!isPlainObject(value) || !('$var' in value)) {
    shape.report(path, `must be a string or a { "$var": { "name": … } } placeholder, got ${describe(value)}`);
    return;
  }
  const holder = shape.object(value, path, ['$var'], []);
  if (!holder) return;
  const varPath = joinPath(path, '$var');
  const placeholder = shape.object(holder.$var, varPath, ['name'], ['default', 'description']);
  if (!placeholder) return;
  shape.string(placeholder.name, joinPath(varPath, 'name'), { pattern: PLACEHOLDER_NAME_PATTERN, rule: 'letters, digits and "_"' });
  shape.string(placeholder.default, joinPath(varPath, 'default'), { optional: true, allowEmpty: true });
  shape.string(placeholder.description, joinPath(varPath, 'description'), { optional: true, allowEmpty: true });
}

function checkBootstrapAction(shape: Shape, value: unknown, path: string): void {
  if (!isPlainObject(value)) {
    shape.report(path, `must be an object, got ${describe(value)}`);
    return;
  }
  const type = shape.string(value.type, joinPath(path, 'type'));
  if (type === undefined || !(SUPPORTED_BOOTSTRAP_ACTIONS as readonly string[]).includes(type)) return; // reported as skipped when run
  if (type === 'setEnvDefaults') {
    const action = shape.object(value, path, ['type', 'values'], ['description']);
    const values = action && shape.object(action.values, joinPath(path, 'values'), [], null);
    for (const [key, entry] of Object.entries(values ?? {})) {
      if (!ENV_KEY_PATTERN.test(key)) shape.report(joinPath(joinPath(path, 'values'), key), 'is not a valid environment variable name');
      shape.string(entry, joinPath(joinPath(path, 'values'), key), { allowEmpty: true });
    }
  } else if (type === 'ensureDirectories') {
    const action = shape.object(value, path, ['type', 'directories'], ['description']);
    shape.array(action?.directories, joinPath(path, 'directories'), { nonEmpty: true })?.forEach((directory, index) =>
      shape.string(directory, joinPath(joinPath(path, 'directories'), index)),
    );
  } else {
    const action = shape.object(value, path, ['type', 'path', 'content'], ['description', 'overwrite']);
    if (!action) return;
    shape.string(action.path, joinPath(path, 'path'));
    shape.boolean(action.overwrite, joinPath(path, 'overwrite'), { optional: true });
  }
  shape.string(value.description, joinPath(path, 'description'), { optional: true, allowEmpty: true });
}

interface StringRule {
  optional?: boolean;
  allowEmpty?: boolean;
  pattern?: RegExp;
  /** What the pattern means, for the message. */
  rule?: string;
}

/** Type and shape checks that report at a JSON path and never throw. */
class Shape {
  constructor(private readonly out: ProblemCollector) {}

  report(path: string, message: string): void {
    this.out.report(path, message);
  }

  /**
   * A JSON object with `required` keys and no keys outside `required` + `optional`
   * (`optional` null: any other key is allowed). Returns it, or null if it is not an object.
   */
  object(value: unknown, path: string, required: string[], optional: string[] | null): Record<string, unknown> | null {
    if (value === undefined) return null; // a missing required key is reported by its parent
    if (!isPlainObject(value)) {
      this.report(path, `must be an object, got ${describe(value)}`);
      return null;
    }
    if (optional) {
      const allowed = [...required, ...optional];
      for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) this.report(joinPath(path, key), `unknown key (allowed here: ${allowed.join(', ')})`);
      }
    }
    for (const key of required) if (value[key] === undefined) this.report(joinPath(path, key), 'is required');
    return value;
  }

  string(value: unknown, path: string, rule: StringRule = {}): string | undefined {
    if (value === undefined) return undefined; // required-ness is checked by object()
    if (typeof value !== 'string') {
      this.report(path, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (!rule.allowEmpty && value.trim() === '') {
      this.report(path, 'must not be empty');
      return undefined;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      this.report(path, `${JSON.stringify(value)} is not valid (${rule.rule ?? rule.pattern.source})`);
      return undefined;
    }
    return value;
  }

  slug(value: unknown, path: string): string | undefined {
    return this.string(value, path, { pattern: SLUG_PATTERN, rule: SLUG_RULE });
  }

  slugList(value: unknown, path: string): string[] | undefined {
    const items = this.array(value, path);
    if (!items) return undefined;
    const slugs = items.map((item, index) => this.slug(item, joinPath(path, index)));
    return slugs.every((slug) => slug !== undefined) ? (slugs as string[]) : undefined;
  }

  httpUrl(value: unknown, path: string): void {
    const text = this.string(value, path);
    if (text === undefined) return;
    let url: URL | null = null;
    try {
      url = new URL(text);
    } catch {
      this.report(path, `${JSON.stringify(text)} is not a URL`);
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.report(path, `${JSON.stringify(text)} must be an http:// or https:// URL`);
    }
  }

  urlPath(value: unknown, path: string): void {
    const text = this.string(value, path, { optional: true });
    if (text !== undefined && (!text.startsWith('/') || /\s/.test(text))) {
      this.report(path, `${JSON.stringify(text)} must be a path starting with "/" (no spaces)`);
    }
  }

  array(value: unknown, path: string, rule: { nonEmpty?: boolean } = {}): unknown[] | undefined {
    if (value === undefined) return undefined; // a missing required key is reported by its parent
    if (!Array.isArray(value)) {
      this.report(path, `must be a list, got ${describe(value)}`);
      return undefined;
    }
    if (rule.nonEmpty && value.length === 0) this.report(path, 'must not be empty');
    return value;
  }

  integer(value: unknown, path: string, rule: { optional?: boolean; min?: number }): void {
    if (value === undefined && rule.optional) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.report(path, `must be an integer, got ${describe(value)}`);
    } else if (rule.min !== undefined && value < rule.min) {
      this.report(path, `must be at least ${rule.min}, got ${value}`);
    }
  }

  boolean(value: unknown, path: string, rule: { optional?: boolean }): void {
    if (value === undefined && rule.optional) return;
    if (typeof value !== 'boolean') this.report(path, `must be true or false, got ${describe(value)}`);
  }

  oneOf(value: unknown, path: string, choices: readonly string[], rule: { optional?: boolean } = {}): void {
    if (value === undefined && rule.optional) return;
    if (typeof value !== 'string' || !choices.includes(value)) {
      this.report(path, `must be one of ${choices.join(', ')}, got ${describe(value)}`);
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value for messages: `a number (4311)`, `null`, `a list`. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `${value}`;
  return 'an object';
}
