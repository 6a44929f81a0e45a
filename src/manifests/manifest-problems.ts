import { BadRequestException } from '@nestjs/common';

/** One thing wrong with a module: where (file, JSON path) and what. */
export interface ManifestProblem {
  file: string;
  /** JSON path inside the file (`services[2].baseUrl`), or `(root)` / `(file)`. */
  path: string;
  message: string;
}

export function formatProblem(problem: ManifestProblem): string {
  return `${problem.file}: ${problem.path}: ${problem.message}`;
}

/**
 * A module that cannot be imported, with every problem found (not just the first). The
 * message is a summary line followed by one `file: json.path: what is wrong` line per problem.
 */
export class ManifestValidationError extends BadRequestException {
  constructor(
    readonly subject: string,
    readonly problems: ManifestProblem[],
  ) {
    const summary = `${subject}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super({
      statusCode: 400,
      error: 'Bad Request',
      message: [summary, ...problems.map(formatProblem)].join('\n'),
      details: problems,
    });
  }
}

/** Reports problems of one file, each at a JSON path, into a shared list. */
export class ProblemCollector {
  constructor(
    readonly file: string,
    readonly problems: ManifestProblem[] = [],
  ) {}

  report(path: string, message: string): void {
    this.problems.push({ file: this.file, path: path || '(root)', message });
  }
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`;
}
