import { Injectable } from '@nestjs/common';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  LoadedModule,
  Located,
  ManifestKind,
  ModuleDescriptor,
  RawNetworkEntry,
  RawServiceEntry,
  REGISTRY_MANIFEST_KINDS,
} from './manifest.types';
import { joinPath, ManifestProblem, ManifestValidationError } from './manifest-problems';
import { ManifestValidator, MODULE_ID_PATTERN } from './manifest-validator';

/** What the operator points at: `--path DIR`, maybe `--module ID` and `--config FILE`. */
export interface ModuleSource {
  /** The module directory. */
  path: string;
  /** The module id: required without a descriptor, must match the descriptor's otherwise. */
  moduleId?: string;
  /** A descriptor file to use instead of `DIR/config.json` / `DIR/service-config.json`. */
  configFile?: string;
}

const DESCRIPTOR_FILES = ['config.json', 'service-config.json'];
const BARE_LAYOUT_MANIFEST = join('service-manifests', 'service-manifest.json');

/** A manifest file a module refers to, and where it refers to it. */
interface ManifestReference {
  path: string;
  kind?: ManifestKind;
  /** JSON path of the reference in the descriptor (`manifests[1].path`). */
  at: string;
}

/**
 * Reads a module directory in either layout of SPEC §3 and validates everything in it:
 * 1. a descriptor (`config.json` or `service-config.json`, or `--config FILE`) naming the
 *    module and its manifest files (`manifestPath` or `manifests[]`);
 * 2. no descriptor: `service-manifests/service-manifest.json`, module id from `--module`.
 * Every problem found is reported together (ManifestValidationError); paths in messages are
 * relative to the working directory.
 */
@Injectable()
export class ModuleLoader {
  /** Paths in messages are shown relative to this directory. */
  private readonly cwd = process.cwd();

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
    if (descriptorPath) {
      const file = this.display(descriptorPath);
      const parsed = await this.readJson(descriptorPath, problems);
      descriptor = parsed === undefined ? null : ManifestValidator.validateDescriptor(parsed, file, problems);
      if (!descriptor) fail();
      moduleId = descriptor!.module;
      if (source.moduleId !== undefined && source.moduleId !== moduleId) {
        problems.push({ file, path: 'module', message: `is "${moduleId}" but --module says "${source.moduleId}"` });
      }
      references = descriptor!.manifestPath !== undefined
        ? [{ path: descriptor!.manifestPath, at: 'manifestPath' }]
        : descriptor!.manifests!.map((manifest, index) => ({ ...manifest, at: joinPath(joinPath('manifests', index), 'path') }));
    } else {
      const bare = join(directory, BARE_LAYOUT_MANIFEST);
      if (!(await isFile(bare))) {
        problems.push({
          file: this.display(directory),
          path: '(file)',
          message: `no ${DESCRIPTOR_FILES.join(' or ')} and no ${BARE_LAYOUT_MANIFEST}: not a module directory`,
        });
        fail();
      }
      if (source.moduleId === undefined) {
        problems.push({
          file: this.display(directory),
          path: '(file)',
          message: `no ${DESCRIPTOR_FILES.join(' or ')}: pass --module ID to import ${BARE_LAYOUT_MANIFEST}`,
        });
        fail();
      }
      moduleId = source.moduleId!;
      if (!MODULE_ID_PATTERN.test(moduleId)) {
        problems.push({ file: '--module', path: '(argument)', message: `"${moduleId}" is not a valid module id (lower-case letters, digits, ".", "_" and "-")` });
        fail();
      }
      references = [{ path: BARE_LAYOUT_MANIFEST, at: '(layout)' }];
    }

    const services: Located<RawServiceEntry>[] = [];
    const networks: Located<RawNetworkEntry>[] = [];
    const notes: string[] = [];
    const descriptorFile = descriptorPath ? this.display(descriptorPath) : null;
    for (const reference of references) {
      if (reference.kind && !REGISTRY_MANIFEST_KINDS.has(reference.kind)) {
        notes.push(`skipped ${reference.path}: manifests of kind "${reference.kind}" are not registry input`);
        continue;
      }
      const manifestPath = await this.insideModule(directory, reference, descriptorFile ?? this.display(directory), problems);
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
    reference: ManifestReference,
    referringFile: string,
    problems: ManifestProblem[],
  ): Promise<string | null> {
    const report = (message: string) => {
      problems.push({ file: referringFile, path: reference.at, message });
      return null;
    };
    const target = resolve(directory, reference.path);
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
