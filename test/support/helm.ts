import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'helm', 'core-api');
const HELM = join(ROOT, '.tools', 'helm');
const INSTALL_SCRIPT = join(ROOT, 'scripts', 'install-helm.sh');

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A rendered Kubernetes object, loosely typed: tests index into it as the YAML reads
 * (`annotations` and `labels` may be absent at run time).
 */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> };
  /** The rest (spec, data, stringData …), whose shape depends on the kind. */
  [key: string]: any;
}

function run(file: string, args: string[], timeoutMs: number): Promise<HelmResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr });
    });
  });
}

/** Puts the real helm binary at .tools/helm (scripts/install-helm.sh) unless it is there. */
export async function ensureHelm(): Promise<void> {
  if (existsSync(HELM)) return;
  const installed = await run(INSTALL_SCRIPT, [], 60_000);
  if (installed.code !== 0) throw new Error(`scripts/install-helm.sh failed: ${installed.stderr}`);
}

/** Runs `.tools/helm ARGS` with a timeout. */
export function helm(args: string[], timeoutMs = 20_000): Promise<HelmResult> {
  return run(HELM, args, timeoutMs);
}

/** `--set` flags for a map of values (`--set-string` for strings, so "2" stays a string only where meant). */
export function setFlags(values: Record<string, string | number | boolean>): string[] {
  return Object.entries(values).flatMap(([key, value]) =>
    typeof value === 'string' ? ['--set-string', `${key}=${value}`] : ['--set', `${key}=${value}`],
  );
}

/** `helm template core-api helm/core-api` with these values; the result of helm as is. */
export function template(values: Record<string, string | number | boolean>): Promise<HelmResult> {
  return helm(['template', 'core-api', CHART, ...setFlags(values)]);
}

/** Renders the chart and parses every object; throws with helm's message if rendering fails. */
export async function render(values: Record<string, string | number | boolean>): Promise<RenderedChart> {
  const result = await template(values);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  return new RenderedChart(result.stdout);
}

/** The objects of one `helm template` output. */
export class RenderedChart {
  readonly objects: Manifest[];

  constructor(readonly text: string) {
    this.objects = parseAllDocuments(text)
      .map((document) => {
        if (document.errors.length > 0) throw new Error(`invalid YAML from helm: ${document.errors[0].message}`);
        return document.toJS() as Manifest | null;
      })
      .filter((object): object is Manifest => object !== null);
  }

  /** Names of the objects, as `Kind/name`, sorted. */
  get inventory(): string[] {
    return this.objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
  }

  find(kind: string, name: string): Manifest | undefined {
    return this.objects.find((object) => object.kind === kind && object.metadata.name === name);
  }

  get(kind: string, name: string): Manifest {
    const object = this.find(kind, name);
    if (!object) throw new Error(`no ${kind}/${name} in the rendered chart; it has ${this.inventory.join(', ')}`);
    return object;
  }
}
