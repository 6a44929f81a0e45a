/**
 * The manifest format of SPEC §3, as validated (`Raw…`: placeholders still in env values)
 * and as resolved (env values are plain strings).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `{ "$var": { "name": NAME, "default"?: …, "description"?: … } }` in an env value. */
export interface PlaceholderObject {
  $var: { name: string; default?: string; description?: string };
}

/** An env value as written: a string (maybe exactly `${NAME}`) or a `$var` object. */
export type RawEnvValue = string | PlaceholderObject;

export const FROM_SERVICE_PROPERTIES = ['instanceUrl', 'baseUrl', 'host', 'port'] as const;
export type FromServiceProperty = (typeof FROM_SERVICE_PROPERTIES)[number];

export interface FromService {
  service: string;
  property: FromServiceProperty;
  fallback?: string;
}

export interface EnvEntry<V = string> {
  key: string;
  value?: V;
  fromService?: FromService;
}

export interface Tag {
  key: string;
  value: string;
}

export interface ServiceEntry<V = string> {
  slug: string;
  displayName: string;
  kind: string;
  baseUrl: string;
  healthEndpoint?: string;
  openapiPath?: string;
  devCommand?: string;
  workingDir?: string;
  capabilities?: JsonValue;
  metadata?: JsonObject;
  tags?: Tag[];
  env?: EnvEntry<V>[];
  /** The service's own health thresholds (absent ones are the environment's defaults). */
  health?: { failuresBeforeUnhealthy?: number; successesBeforeHealthy?: number };
}

export interface NetworkApp<V = string> {
  id: string;
  name: string;
  description: string;
  repoUrl: string;
  dockerfilePath: string;
  tags?: Tag[];
  launchEnv?: EnvEntry<V>[];
  launchCommand?: string;
}

export interface NetworkMemberEntry<V = string> {
  serviceSlug: string;
  app: NetworkApp<V>;
  launchOrder?: number;
  waitForBuild?: boolean;
  dependsOn?: string[];
  env?: EnvEntry<V>[];
}

export interface NetworkEntry<V = string> {
  id: string;
  name: string;
  description: string;
  repoUrl: string;
  dockerfilePath: string;
  tags?: Tag[];
  env?: EnvEntry<V>[];
  launchOrder?: string[];
  services: NetworkMemberEntry<V>[];
}

export type RawServiceEntry = ServiceEntry<RawEnvValue>;
export type RawNetworkEntry = NetworkEntry<RawEnvValue>;

/** One validated manifest file. */
export interface ManifestFileContent {
  services: RawServiceEntry[];
  networks: RawNetworkEntry[];
}

/** `placeholders[]` of a module descriptor. */
export interface PlaceholderDeclaration {
  name: string;
  description?: string;
  /** A template (AppHub's Liquid dialect; `env`, `placeholders`, `variables` in scope). */
  default?: string;
}

export const MANIFEST_KINDS = ['services', 'networks', 'bundle', 'workflow'] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];
/** Kinds that are registry input (an absent kind is too). */
export const REGISTRY_MANIFEST_KINDS: ReadonlySet<ManifestKind> = new Set(['services', 'networks']);

export interface SetEnvDefaultsAction {
  type: 'setEnvDefaults';
  description?: string;
  /** Environment defaults (templates); also module defaults of placeholders of the same name. */
  values: Record<string, string | number | boolean>;
}

export interface EnsureDirectoriesAction {
  type: 'ensureDirectories';
  description?: string;
  directories: string[];
}

export interface WriteJsonFileAction {
  type: 'writeJsonFile';
  description?: string;
  path: string;
  content: JsonValue;
  /** Replace an existing file (default false: an existing file is kept). */
  overwrite?: boolean;
  /** Create missing parent directories (default true). */
  createParents?: boolean;
  /** Indent the JSON (default true). */
  pretty?: boolean;
}

/** An action type this registry does not run: reported as skipped. */
export interface UnsupportedAction {
  type: string;
  [key: string]: unknown;
}

export type BootstrapAction = SetEnvDefaultsAction | EnsureDirectoriesAction | WriteJsonFileAction | UnsupportedAction;

export const SUPPORTED_BOOTSTRAP_ACTIONS = ['setEnvDefaults', 'ensureDirectories', 'writeJsonFile'] as const;

/** A module descriptor (`config.json` / `service-config.json`), validated. */
export interface ModuleDescriptor {
  module: string;
  manifestPath?: string;
  manifests?: { path: string; kind?: ManifestKind; description?: string }[];
  placeholders: PlaceholderDeclaration[];
  bootstrapActions: BootstrapAction[];
  /** Keys the registry does not use (`configVersion`, `imports`, `$schema`, …), ignored. */
  ignored: Record<string, JsonValue>;
}

/** An entry of a module together with where it was written, for messages. */
export interface Located<T> {
  /** The manifest file, as shown to the operator (relative to the working directory). */
  file: string;
  /** JSON path of the entry inside its file, e.g. `services[2]`. */
  path: string;
  entry: T;
}

/** A module read from disk and validated, placeholders not yet resolved. */
export interface LoadedModule {
  moduleId: string;
  /** Absolute path of the module directory (never stored: machine-specific). */
  directory: string;
  /** The descriptor file as shown to the operator, or null for the bare layout. */
  descriptorFile: string | null;
  placeholders: PlaceholderDeclaration[];
  bootstrapActions: BootstrapAction[];
  services: Located<RawServiceEntry>[];
  networks: Located<RawNetworkEntry>[];
  /** Things the operator should know, e.g. manifests skipped for their kind. */
  notes: string[];
}

/**
 * Where a placeholder's value came from: `--var`, the `$var` object's default, the
 * descriptor's `placeholders[].default`, or a `setEnvDefaults` action of the descriptor.
 */
export type PlaceholderSource = 'var' | 'manifest-default' | 'module-default' | 'env-default';

/** A service entry with every placeholder replaced by its value. */
export interface ResolvedService {
  slug: string;
  /** What is stored in `service_manifests.definition` (and checksummed). */
  definition: ServiceEntry & { placeholders?: Record<string, PlaceholderSource> };
}

export interface ResolvedNetwork {
  id: string;
  definition: NetworkEntry & { placeholders?: Record<string, PlaceholderSource> };
}

/** A module ready to import. */
export interface ResolvedModule {
  moduleId: string;
  services: ResolvedService[];
  networks: ResolvedNetwork[];
}
