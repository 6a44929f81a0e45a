import { ArgumentMetadata, Injectable, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { ClassTransformOptions, instanceToPlain, plainToInstance } from 'class-transformer';
import { FieldProblem, invalidRequest } from './field-problem';
import { jsonAsSentFields } from './field-rules';
import { inspectJsonInput } from './json-input-rules';

export type { FieldProblem } from './field-problem';

/**
 * Keys that name JavaScript machinery, not data: class-transformer silently drops
 * `constructor` (so forbidNonWhitelisted never sees it), so they are refused here like any
 * other unknown key. (`__proto__`, which would replace the DTO's prototype, is refused at every
 * depth by inspectJsonInput.)
 */
const RESERVED_KEYS = ['constructor', 'prototype'];

/**
 * Flattens class-validator errors into `{ field: 'a.b[0].c', problems }` entries, each problem
 * once. A value that is missing or null where it may not be is reported as just that: the
 * other rules of its field have nothing to say about it.
 */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const constraints = error.constraints?.isDefined ? { isDefined: error.constraints.isDefined } : error.constraints;
    const own = constraints ? [{ field, problems: [...new Set(Object.values(constraints))] }] : [];
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/**
 * The global pipe: DTOs are validated strictly (unknown fields are errors) and transformed;
 * failures are 400s whose `details` list every bad field. Before a body or query reaches
 * class-transformer (which recurses), it passes the rules every input obeys
 * (`inspectJsonInput`: nesting depth, control characters, `__proto__`) and may not carry a
 * reserved key at the top.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      transformerPackage: { plainToInstance: toInstance, classToPlain: instanceToPlain },
      exceptionFactory: (errors) => invalidRequest(fieldProblems(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && this.toValidate(metadata)) {
      // A DTO is an object: an array body would become one DTO per item, each validated.
      if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw invalidRequest([{ field: '(body)', problems: ['must be a JSON object'] }]);
      }
      const problems = [...reservedKeyProblems(value), ...inspectJsonInput(value)];
      if (problems.length > 0) throw invalidRequest(problems);
    }
    return super.transform(value, metadata);
  }

  /**
   * Nest's ValidationPipe deletes `__proto__`, `prototype` and `constructor` keys at every
   * depth, silently: an extra top-level `constructor` was accepted as if never sent, and such
   * keys vanished from `metadata`. This pipe refuses the dangerous keys instead (`__proto__`
   * anywhere, the reserved ones at the top, before this runs) and keeps JSON data as sent
   * (`@IsJsonAsSent()` fields never reach class-transformer), so there is nothing to strip.
   */
  protected override stripProtoKeys(): void {}
}

function reservedKeyProblems(value: object | undefined): FieldProblem[] {
  if (value === undefined) return [];
  return RESERVED_KEYS.filter((key) => Object.prototype.hasOwnProperty.call(value, key)).map((key) => ({
    field: key,
    problems: [`property ${key} should not exist`],
  }));
}

/**
 * class-transformer's plainToInstance, except that fields marked `@IsJsonAsSent()` are set on
 * the instance as they were sent instead of being rebuilt (see field-rules.ts).
 */
function toInstance<T>(type: Type<T>, plain: unknown, options?: ClassTransformOptions): T | T[] {
  const fields = jsonAsSentFields(type);
  if (fields.length === 0 || plain === null || typeof plain !== 'object' || Array.isArray(plain)) return plainToInstance(type, plain, options);
  const source = plain as Record<string | symbol, unknown>;
  const rest = { ...source };
  for (const field of fields) delete rest[field];
  const instance = plainToInstance(type, rest, options) as Record<string | symbol, unknown>;
  for (const field of fields) if (Object.prototype.hasOwnProperty.call(source, field)) instance[field] = source[field];
  return instance as T;
}

export function createApiValidationPipe(): ValidationPipe {
  return new ApiValidationPipe();
}
