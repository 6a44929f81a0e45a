import { Injectable } from '@nestjs/common';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MODULE_ID } from '../identifiers';
import {
  JsonValue,
  LoadedModule,
  Located,
  ManifestKind,
  ModuleDescriptor,
  RawNetworkEntry,
  RawServiceEntry,
  REGISTRY_MANIFEST_KINDS,
} from './manifest.types';
import { joinPath, ManifestProblem, ManifestValidationError } from './manifest-problems';
import { isPlainObject, ManifestValidator } from './manifest-validator';
import { TemplateRenderer } from './template-renderer';

/** What the operator points at: `--path DIR`, maybe `--module ID` and `--config FILE`. */
export interface ModuleSource {
  /** The module directory. */
  path: string;
  /** The module id: required without a descriptor, must match the descriptor's otherwise. */
  moduleId?: string;
  /** A descriptor file to use instead of `DIR/config.json` / `DIR/service-config.json`. */
  configFile?: string;
}

/** Where a module keeps its descriptor, in the order they are looked for (SPEC §3). */
const DESCRIPTOR_FILES = ['config.json', 'service-config.json', join('service-manifests', 'service-config.json')];
/** Without a descriptor: the manifest file, in the order looked for. */
const BARE_LAYOUT_MANIFESTS = [join('service-manifests', 'service-manifest.json'), 'service-manifest.json'];

/** A manifest file a module refers to, and where it refers to it. */
interface ManifestReference {
  path: string;
  kind?: ManifestKind;
  /** JSON path of the reference in the descriptor (`manifests[1].path`). */
  at: string;
}

/**
 * Reads a module directory in any layout AppHub has shipped (SPEC §3) and validates
 * everything in it:
 * 1. a descriptor: `config.json`, `service-config.json` or `service-manifests/service-config.json`
 *    (or `--config FILE`) naming the module and its manifest files (`manifestPath` or
 *    `manifests[]`, relative to the descriptor's folder); keys the registry does not use are
 *    ignored, each with a note;
 * 2. no descriptor: `service-manifests/service-manifest.json` or `service-manifest.json`,
 *    module id from `--module`.
 * Every problem found is reported together (ManifestValidationError); paths in messages are
 * relative to the working directory.
 */
@Injectable()
export class ModuleLoader {
  /** Paths in messages are shown relative to this directory. */
  private readonly cwd = process.cwd();

  constructor(private readonly templates: TemplateRenderer = new TemplateRenderer()) {}

  async load(source: ModuleSource): Promise<LoadedModule> {
    const directory = resolve(this.cwd, source.path);
    const problems: ManifestProblem[] = [];
    const fail = (): never => {
      throw new ManifestValidationError(`module at ${this.display(directory)} is invalid`, problems);
    };

    if (!(await isDirectory(directory))) {
      problems.push({ file: this.display(directory), path: '(file)', message: 'module directory not found' });
      fail();
    }

    const descriptorPath = source.configFile
      ? resolve(this.cwd, source.configFile)
      : await firstExisting(DESCRIPTOR_FILES.map((name) => join(directory, name)));

    let moduleId: string;
    let descriptor: ModuleDescriptor | null = null;
    let references: ManifestReference[];
    /** Manifest paths are relative to this folder: the descriptor's (`--config`: the module's). */
    let base = directory;
    const notes: string[] = [];
    if (descriptorPath) {
      const file = this.display(descriptorPath);
      const parsed = await this.readJson(descriptorPath, problems);
      descriptor = parsed === undefined ? null : ManifestValidator.validateDescriptor(parsed, file, problems);
      if (!descriptor) fail();
      ManifestValidator.checkTemplates(descriptor!, file, this.templates, problems);
      moduleId = descriptor!.module;
      if (source.moduleId !== undefined && source.moduleId !== moduleId) {
        problems.push({ file, path: 'module', message: `is "${moduleId}" but --module says "${source.moduleId}"` });
      }
      if (!source.configFile) base = dirname(descriptorPath);
      references = descriptor!.manifestPath !== undefined
        ? [{ path: descriptor!.manifestPath, at: 'manifestPath' }]
        : descriptor!.manifests!.map((manifest, index) => ({ ...manifest, at: joinPath(joinPath('manifests', index), 'path') }));
      notes.push(...ignoredKeyNotes(file, descriptor!.ignored));
    } else {
      const bare = await firstExisting(BARE_LAYOUT_MANIFESTS.map((name) => join(directory, name)));
      if (!bare) {
        problems.push({
          file: this.display(directory),
          path: '(file)',
          message: `no descriptor (${DESCRIPTOR_FILES.join(', ')}) and no ${BARE_LAYOUT_MANIFESTS.join(' or ')}: not a module directory`,
        });
        fail();
      }
      const manifest = relative(directory, bare!);
      if (source.moduleId === undefined) {
        problems.push({
          file: this.display(directory),
          path: '(file)',
          message: `no descriptor (${DESCRIPTOR_FILES.join(', ')}): pass --module ID to import ${manifest}`,
        });
        fail();
      }
      moduleId = source.moduleId!;
      if (!MODULE_ID.pattern.test(moduleId)) {
        problems.push({ file: '--module', path: '(argument)', message: `"${moduleId}" is not a valid module id (${MODULE_ID.rule})` });
        fail();
      }
      references = [{ path: manifest, at: '(layout)' }];
    }

    const services: Located<RawServiceEntry>[] = [];
    const networks: Located<RawNetworkEntry>[] = [];
    const descriptorFile = descriptorPath ? this.display(descriptorPath) : null;
    for (const reference of references) {
      if (reference.kind && !REGISTRY_MANIFEST_KINDS.has(reference.kind)) {
        notes.push(`skipped ${reference.path}: manifests of kind "${reference.kind}" are not registry input`);
        continue;
      }
      const manifestPath = await this.insideModule(directory, base, reference, descriptorFile ?? this.display(directory), problems);
      if (!manifestPath) continue;
      const file = this.display(manifestPath);
      const parsed = await this.readJson(manifestPath, problems);
      if (parsed === undefined) continue;
      const content = ManifestValidator.validateManifestFile(parsed, file, problems);
      if (!content) continue;
      const servicesBase = Array.isArray(parsed) ? '' : 'services';
      content.services.forEach((entry, index) => services.push({ file, path: joinPath(servicesBase, index), entry }));
      content.networks.forEach((entry, index) => networks.push({ file, path: joinPath('networks', index), entry }));
    }
    if (problems.length === 0 && services.length === 0 && networks.length === 0) {
      problems.push({ file: descriptorFile ?? this.display(directory), path: '(root)', message: 'the module declares no services and no networks' });
    }
    ManifestValidator.checkModuleEntries(services, networks, problems);
    if (problems.length > 0) fail();

    return {
      moduleId,
      directory,
      descriptorFile,
      placeholders: descriptor?.placeholders ?? [],
      bootstrapActions: descriptor?.bootstrapActions ?? [],
      services,
      networks,
      notes,
    };
  }

  /** The manifest's absolute path, or null (reported) if it is missing or outside the module. */
  private async insideModule(
    directory: string,
    base: string,
    reference: ManifestReference,
    referringFile: string,
    problems: ManifestProblem[],
  ): Promise<string | null> {
    const report = (message: string) => {
      problems.push({ file: referringFile, path: reference.at, message });
      return null;
    };
    const target = resolve(base, reference.path);
    if (isOutside(directory, target)) return report(`"${reference.path}" resolves outside the module directory`);
    if (!(await isFile(target))) return report(`manifest file "${reference.path}" not found in the module directory`);
    const [realDirectory, realTarget] = await Promise.all([realpath(directory), realpath(target)]);
    if (isOutside(realDirectory, realTarget)) {
      return report(`"${reference.path}" resolves outside the module directory (through a symbolic link)`);
    }
    return target;
  }

  /** Parsed JSON, or undefined with the problem reported. */
  private async readJson(path: string, problems: ManifestProblem[]): Promise<unknown> {
    const file = this.display(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      problems.push({ file, path: '(file)', message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      return undefined;
    }
    text = text.replace(/^\uFEFF/, '');
    if (text.trim() === '') {
      problems.push({ file, path: '(file)', message: 'is empty' });
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      problems.push({ file, path: '(file)', message: `is not valid JSON: ${describeJsonError(text, error as Error)}` });
      return undefined;
    }
  }

  /** A path as shown to the operator: relative to the working directory when inside it. */
  private display(path: string): string {
    const rel = relative(this.cwd, path);
    return rel === '' ? '.' : isOutside(this.cwd, path) ? path : rel;
  }
}

/**
 * One note per descriptor key the registry does not use: it is shared with other AppHub
 * tools, so such keys are ignored, never an error. `imports` name other modules, which a
 * backfill (reading local files only) does not follow.
 */
function ignoredKeyNotes(file: string, ignored: Record<string, JsonValue>): string[] {
  return Object.entries(ignored).map(([key, value]) => {
    if (key === 'imports' && Array.isArray(value)) {
      const modules = value.map((entry) => (isPlainObject(entry) && typeof entry.module === 'string' ? entry.module : JSON.stringify(entry)));
      return `${file}: imports: not followed (a backfill reads only local files): ${modules.length ? modules.join(', ') : 'none listed'}`;
    }
    return `${file}: ${joinPath('', key)}: not used by the registry (ignored)`;
  });
}

/** V8's JSON.parse message without the quoted text, its position as line and column. */
function describeJsonError(text: string, error: Error): string {
  let message = error.message.replace(/, "[\s\S]*" is not valid JSON$/, '');
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    message = message.replace(/ at position \d+( \(line \d+ column \d+\))?/, ` at line ${line}, column ${column}`);
  }
  return message;
}

function isOutside(directory: string, target: string): boolean {
  const rel = relative(directory, target);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((stats) => stats.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((stats) => stats.isFile(), () => false);
}

async function firstExisting(paths: string[]): Promise<string | null> {
  for (const path of paths) if (await isFile(path)) return path;
  return null;
}
