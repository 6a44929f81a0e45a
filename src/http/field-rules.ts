import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import 'reflect-metadata';
import { IsDefined, IsInt, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { textProblem } from './request-text';

/** Largest value of a Postgres `integer` column. */
export const POSTGRES_INTEGER_MAX = 2_147_483_647;

/**
 * A one-line text field (names, kinds, URLs, paths): no control characters at all. (Every
 * string of a body is free text at least: see `inspectJsonInput`.)
 */
export function IsSingleLineText(): PropertyDecorator {
  return ValidateBy({
    name: 'isSingleLineText',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || textProblem(value, 'single-line') === null,
      defaultMessage: (args) => `${args?.property} ${textProblem(String(args?.value), 'single-line')}`,
    },
  });
}

/**
 * A field that may be left out (the stored value stays) but not set to null, because its
 * column is NOT NULL. Its other rules run on every value but `undefined`.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_, value) => value !== undefined),
    IsDefined({ message: '$property cannot be null (leave it out to keep the stored value)' }),
  );
}

const JSON_AS_SENT_FIELDS = Symbol('jsonAsSentFields');

/**
 * A free-form JSON field (`capabilities`, `metadata`) kept exactly as the client sent it: the
 * API validation pipe never lets class-transformer rebuild it, because class-transformer drops
 * keys that name Object.prototype members (`constructor`, `toString`, `hasOwnProperty`…) and
 * treats a nested `"constructor"` key as the class to instantiate (`targetType is not a
 * constructor`, a 500). Its validators see the value as sent.
 */
export function IsJsonAsSent(): PropertyDecorator {
  return (target, property) => {
    const fields: (string | symbol)[] = Reflect.getMetadata(JSON_AS_SENT_FIELDS, target.constructor) ?? [];
    Reflect.defineMetadata(JSON_AS_SENT_FIELDS, [...fields, property], target.constructor);
  };
}

/** The fields of a DTO class marked `@IsJsonAsSent()`. */
export function jsonAsSentFields(type: Function): (string | symbol)[] {
  return Reflect.getMetadata(JSON_AS_SENT_FIELDS, type) ?? [];
}

/**
 * An integer query parameter: plain base-10 digits only (no sign, no `0x`, no exponent, not
 * empty), from `min` to `max`; the bounds are those of the column or value it is compared with.
 */
export function IsIntegerQueryParam(name: string, min: number, max: number): PropertyDecorator {
  const message = `${name} must be a base-10 integer from ${min} to ${max}`;
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value), { toClassOnly: true }),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}
