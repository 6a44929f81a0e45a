import { Injectable } from '@nestjs/common';
import { Liquid, Template } from 'liquidjs';
import { JsonValue } from './manifest.types';

/** What a template sees: `{{ env.X }}`, `{{ placeholders.X }}`, `{{ variables.X }}`, `{{ module.id }}`. */
export interface TemplateScope {
  env: Record<string, string | undefined>;
  placeholders: Record<string, string>;
  variables: Record<string, string>;
  module?: { id: string };
}

/** A template that does not parse, names an unknown filter, or fails while rendering. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The roots a filter argument may name as a path (anything else is a literal). */
const SCOPE_PATH = /^(?:env|placeholders|variables|module)(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"]*"\]|\['[^']*'\])*$/;
/** Filter arguments Liquid reads as they are. */
const LIQUID_LITERAL = /^(?:-?\d+(?:\.\d+)?|null|nil|true|false|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')$/;
const FILTER_NAME = /^[A-Za-z_][\w-]*$/;

/** One `{{ … }}` of a template, as written. */
interface OutputToken {
  /** Index of `{{` and just past `}}`. */
  start: number;
  end: number;
  /** The output as Liquid reads it (arguments quoted where the dialect left them raw). */
  liquid: string;
  filters: string[];
}

/**
 * Renders the templates of module descriptors (placeholder defaults, bootstrap actions) in
 * AppHub's dialect of Liquid: `{{ path | filter | filter:arg }}`, where an argument is the raw
 * text after `:` up to the next `|` or `}}`, trimmed: `default:http://127.0.0.1:4300` and
 * `default: /tmp` are literals, `null`/`true`/`false`/numbers are typed, a dotted path into
 * `env`, `placeholders`, `variables` (or `module`) resolves. Standard Liquid (quoted
 * arguments, tags) works as well.
 *
 * liquidjs does the parsing and rendering: it cannot read an unquoted argument such as
 * `http://127.0.0.1:4300` (measured: "unexpected character"), so each output is first
 * rewritten into plain Liquid by quoting such arguments; everything else (tags, expressions,
 * quoted strings, error positions) is liquidjs's own. The dialect's filters are registered
 * on it: `default` (on undefined, null or ""), `number`/`int`/`float`, `bool`/`boolean`,
 * `trim`, `lower`, `upper`; Liquid's built-in filters stay available.
 */
@Injectable()
export class TemplateRenderer {
  private readonly liquid = new Liquid({ strictFilters: true, strictVariables: false, keepOutputType: true });
  private readonly parsed = new Map<string, { templates: Template[]; single: boolean }>();

  constructor() {
    for (const [name, filter] of Object.entries(DIALECT_FILTERS)) this.liquid.registerFilter(name, filter);
  }

  /** Throws a TemplateError if `template` does not parse or names an unknown filter. */
  check(template: string): void {
    this.parse(template);
  }

  /** Whether `template` holds any `{{ … }}` or `{% … %}` at all. */
  static isTemplate(value: string): boolean {
    return value.includes('{{') || value.includes('{%');
  }

  /**
   * The rendered value. A template that is exactly one `{{ … }}` keeps its value's type
   * (number, boolean, null; undefined when it names nothing); anything else is a string.
   */
  render(template: string, scope: TemplateScope): JsonValue | undefined {
    const { templates, single } = this.parse(template);
    let value: unknown;
    try {
      value = this.liquid.renderSync(templates, scope);
    } catch (error) {
      throw new TemplateError(firstLine(error));
    }
    if (single) return toJson(value);
    return value === undefined || value === null ? '' : String(value);
  }

  /** The rendered text: null and undefined render empty, other values as strings. */
  renderString(template: string, scope: TemplateScope): string {
    const value = this.render(template, scope);
    return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  }

  private parse(template: string): { templates: Template[]; single: boolean } {
    const cached = this.parsed.get(template);
    if (cached) return cached;
    const outputs = findOutputs(template);
    for (const output of outputs) {
      for (const name of output.filters) {
        if (!(name in this.liquid.filters)) {
          throw new TemplateError(
            `unknown filter "${name}" in ${template.slice(output.start, output.end)} (filters: ${Object.keys(DIALECT_FILTERS).join(', ')} and Liquid's own)`,
          );
        }
      }
    }
    let liquid = '';
    let at = 0;
    for (const output of outputs) {
      liquid += template.slice(at, output.start) + output.liquid;
      at = output.end;
    }
    liquid += template.slice(at);
    let templates: Template[];
    try {
      templates = this.liquid.parse(liquid);
    } catch (error) {
      throw new TemplateError(`is not a valid Liquid template: ${firstLine(error)}`);
    }
    const single = outputs.length === 1 && outputs[0].start === 0 && outputs[0].end === template.length;
    const result = { templates, single };
    this.parsed.set(template, result);
    return result;
  }
}

/**
 * Every `{{ … }}` outside `{% raw %}` blocks, rewritten into plain Liquid. Text and tags are
 * left alone (liquidjs reports anything wrong with them).
 */
function findOutputs(template: string): OutputToken[] {
  const outputs: OutputToken[] = [];
  let at = 0;
  for (;;) {
    const open = template.indexOf('{{', at);
    if (open < 0) break;
    const raw = /\{%-?\s*raw\s*-?%\}/g;
    raw.lastIndex = at;
    const rawBlock = raw.exec(template);
    if (rawBlock && rawBlock.index < open) {
      const end = /\{%-?\s*endraw\s*-?%\}/g;
      end.lastIndex = rawBlock.index + rawBlock[0].length;
      const endBlock = end.exec(template);
      if (!endBlock) break; // liquidjs reports the unclosed raw block
      at = endBlock.index + endBlock[0].length;
      continue;
    }
    const output = readOutput(template, open);
    if (!output) break; // no closing `}}`: liquidjs reports it
    outputs.push(output);
    at = output.end;
  }
  return outputs;
}

/** Reads the output starting at `open` (`{{`), or null if it is never closed. */
function readOutput(template: string, open: number): OutputToken | null {
  let at = open + 2;
  const trimLeft = template[at] === '-';
  if (trimLeft) at += 1;
  const head = readUntilPipeOrClose(template, at);
  if (!head) return null;
  at = head.end;
  const filters: { name: string; args?: string }[] = [];
  while (template[at] === '|') {
    const part = readUntilPipeOrClose(template, at + 1);
    if (!part) return null;
    const colon = part.text.indexOf(':');
    const name = (colon < 0 ? part.text : part.text.slice(0, colon)).trim();
    filters.push(colon < 0 ? { name } : { name, args: part.text.slice(colon + 1) });
    at = part.end;
  }
  // `at` is at `}}`; a `-` before it (after a space) is Liquid's whitespace control.
  let trimRight = false;
  const last = filters.length > 0 ? filters[filters.length - 1] : null;
  const tail = last ? (last.args ?? last.name) : head.text;
  if (/\s-$/.test(tail)) {
    trimRight = true;
    const stripped = tail.slice(0, tail.length - 1);
    if (!last) head.text = stripped;
    else if (last.args !== undefined) last.args = stripped;
    else last.name = stripped.trim();
  }
  const liquid =
    `{{${trimLeft ? '-' : ''} ${head.text.trim()}` +
    filters.map(({ name, args }) => ` | ${name}${args === undefined ? '' : `: ${liquidArguments(args)}`}`).join('') +
    ` ${trimRight ? '-' : ''}}}`;
  return {
    start: open,
    end: at + 2,
    liquid,
    filters: filters.map(({ name }) => name).filter((name) => FILTER_NAME.test(name)),
  };
}

/**
 * The text from `from` up to the next `|` or `}}` (its index in `end`). A quote opens a
 * string only at the start of an argument (after `:`, `,` or spaces), so `it's` is text.
 */
function readUntilPipeOrClose(template: string, from: number): { text: string; end: number } | null {
  let at = from;
  let tokenStart = true;
  while (at < template.length) {
    const char = template[at];
    if (char === '|') return { text: template.slice(from, at), end: at };
    if (char === '}' && template[at + 1] === '}') return { text: template.slice(from, at), end: at };
    if ((char === '"' || char === "'") && tokenStart) {
      const close = closingQuote(template, at);
      if (close < 0) return null;
      at = close + 1;
      tokenStart = false;
      continue;
    }
    tokenStart = char === ':' || char === ',' || /\s/.test(char);
    at += 1;
  }
  return null;
}

function closingQuote(template: string, open: number): number {
  const quote = template[open];
  for (let at = open + 1; at < template.length; at += 1) {
    if (template[at] === '\\') at += 1;
    else if (template[at] === quote) return at;
  }
  return -1;
}

/**
 * A filter's arguments as Liquid reads them: kept when every comma-separated part is
 * something Liquid reads as intended (a quoted string, a number, null/true/false, a path
 * into the scope); otherwise the whole raw text, trimmed, is one string literal.
 */
function liquidArguments(raw: string): string {
  const text = raw.trim();
  const parts = splitArguments(text);
  if (text !== '' && parts.every((part) => LIQUID_LITERAL.test(part) || SCOPE_PATH.test(part))) return parts.join(', ');
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let at = 0;
  let tokenStart = true;
  while (at < text.length) {
    const char = text[at];
    if ((char === '"' || char === "'") && tokenStart) {
      const close = closingQuote(text, at);
      if (close < 0) break;
      at = close + 1;
      tokenStart = false;
      continue;
    }
    if (char === ',') {
      parts.push(text.slice(start, at).trim());
      start = at + 1;
    }
    tokenStart = char === ',' || /\s/.test(char);
    at += 1;
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'n', '']);

function isMissing(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function toNumber(value: unknown, kind: 'number' | 'int' | 'float'): unknown {
  if (isMissing(value) || value === '') return value;
  const number = typeof value === 'boolean' ? Number(value) : Number(typeof value === 'string' ? value.trim() : value);
  if (!Number.isFinite(number)) throw new TemplateError(`${JSON.stringify(value)} is not a number (filter "${kind}")`);
  return kind === 'int' ? Math.trunc(number) : number;
}

function toBoolean(value: unknown): unknown {
  if (isMissing(value) || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new TemplateError(`${JSON.stringify(value)} is not a boolean (filter "bool": true/false, yes/no, on/off, 1/0)`);
}

const DIALECT_FILTERS: Record<string, (value: unknown, ...args: unknown[]) => unknown> = {
  default: (value, fallback) => (isMissing(value) || value === '' ? fallback : value),
  number: (value) => toNumber(value, 'number'),
  int: (value) => toNumber(value, 'int'),
  float: (value) => toNumber(value, 'float'),
  bool: toBoolean,
  boolean: toBoolean,
  trim: (value) => (isMissing(value) ? value : String(value).trim()),
  lower: (value) => (isMissing(value) ? value : String(value).toLowerCase()),
  upper: (value) => (isMissing(value) ? value : String(value).toUpperCase()),
};

/** A rendered value as JSON (liquidjs may hand back other objects: kept only if JSON). */
function toJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value as JsonValue;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function firstLine(error: unknown): string {
  const cause = error as Error & { originalError?: Error };
  const message = cause.originalError instanceof TemplateError ? cause.originalError.message : cause.message ?? String(error);
  return message.split('\n')[0];
}
