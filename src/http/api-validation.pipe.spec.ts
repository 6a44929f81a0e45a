import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { HealthHistoryQuery } from '../health/health-history.query';
import { ListServicesQuery } from '../services/dto/list-services.query';
import { PatchServiceDto } from '../services/dto/patch-service.dto';
import { RegisterServiceDto } from '../services/dto/register-service.dto';
import { ApiValidationPipe } from './api-validation.pipe';
import { MAX_JSON_DEPTH } from './json-input-rules';

const pipe = new ApiValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });
const valid = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:9101' };

/** The 400's `details`, or a failure if the pipe accepted the value. */
async function refusal(value: unknown, metadata: ArgumentMetadata): Promise<{ field: string; problems: string[] }[]> {
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { details: { field: string; problems: string[] }[] }).details;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

/** A query string as Express 5 parses it (node:querystring: a null-prototype object). */
function queryString(text: string): Record<string, unknown> {
  return Object.fromEntries(new URLSearchParams(text)) as Record<string, unknown>;
}

describe('ApiValidationPipe', () => {
  it.each(['constructor', 'prototype', '__proto__'])('refuses an extra %s key like any other unknown key', async (key) => {
    const details = await refusal(JSON.parse(JSON.stringify({ ...valid }).replace(/^\{/, `{"${key}": {"x": 1},`)), body(RegisterServiceDto));
    expect(details).toEqual([{ field: key, problems: [`property ${key} should not exist`] }]);
  });

  it.each([[[{ ...valid }]], [[]], ['billing'], [42], [null]])('refuses a body that is not a JSON object: %j', async (value) => {
    expect(await refusal(value, body(RegisterServiceDto))).toEqual([{ field: '(body)', problems: ['must be a JSON object'] }]);
  });

  it('keeps capabilities and metadata exactly as sent, keys named after Object.prototype members included', async () => {
    const metadata = JSON.parse('{"constructor": "c", "toString": "t", "hasOwnProperty": 1, "nested": {"valueOf": [1]}}');
    const result = (await pipe.transform({ ...valid, metadata, capabilities: { constructor: { prototype: 2 } } }, body(RegisterServiceDto))) as RegisterServiceDto;
    expect(result).toBeInstanceOf(RegisterServiceDto);
    expect(JSON.stringify(result.metadata)).toBe(JSON.stringify(metadata));
    expect(JSON.stringify(result.capabilities)).toBe('{"constructor":{"prototype":2}}');
  });

  it.each(['displayName', 'kind', 'baseUrl', 'healthEndpoint'])('refuses a line break in the one-line field %s', async (field) => {
    const value = field === 'baseUrl' ? 'http://a.example/\n' : field === 'healthEndpoint' ? '/a\tb' : 'a\nb';
    const details = await refusal({ ...valid, [field]: value }, body(RegisterServiceDto));
    expect(details).toContainEqual({ field, problems: expect.arrayContaining([expect.stringMatching(/must not contain control characters/)]) });
  });

  it('refuses NUL in any string before the DTO rules run, naming the field', async () => {
    expect(await refusal({ ...valid, slug: 'a\u0000' }, body(RegisterServiceDto))).toEqual([
      { field: 'slug', problems: [expect.stringMatching(/U\+0000 at character 2/)] },
    ]);
    expect(await refusal({ statusMessage: 'x\u0000' }, body(PatchServiceDto))).toEqual([
      { field: 'statusMessage', problems: [expect.stringMatching(/U\+0000/)] },
    ]);
  });

  it('accepts tab and line breaks in a status message', async () => {
    await expect(pipe.transform({ statusMessage: 'line one\n\tline two\r\n' }, body(PatchServiceDto))).resolves.toBeInstanceOf(PatchServiceDto);
  });

  it.each(['baseUrl', 'status', 'metadata'])('refuses null for the NOT NULL field %s, with that one problem', async (field) => {
    expect(await refusal({ [field]: null }, body(PatchServiceDto))).toEqual([
      { field, problems: [`${field} cannot be null (leave it out to keep the stored value)`] },
    ]);
  });

  it('accepts null for the nullable fields statusMessage, capabilities and lastHealthyAt', async () => {
    const patch = { statusMessage: null, capabilities: null, lastHealthyAt: null };
    await expect(pipe.transform(patch, body(PatchServiceDto))).resolves.toEqual(Object.assign(new PatchServiceDto(), patch));
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels before class-transformer recurses into it`, async () => {
    let capabilities: unknown = 1;
    for (let level = 0; level < 50_000; level += 1) capabilities = [capabilities];
    expect(await refusal({ capabilities }, body(PatchServiceDto))).toEqual([
      { field: 'capabilities', problems: [`nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (the limit)`] },
    ]);
  });

  it.each([
    ['beforeVersion=2147483648', 'beforeVersion must be a base-10 integer from 1 to 2147483647'],
    ['beforeVersion=0', 'beforeVersion must be a base-10 integer from 1 to 2147483647'],
    ['beforeVersion=', 'beforeVersion must be a base-10 integer from 1 to 2147483647'],
    ['limit=0x10', 'limit must be a base-10 integer from 1 to 500'],
    ['limit=1e2', 'limit must be a base-10 integer from 1 to 500'],
    ['limit=+5', 'limit must be a base-10 integer from 1 to 500'],
    ['limit=%205', 'limit must be a base-10 integer from 1 to 500'],
    ['limit=501', 'limit must be a base-10 integer from 1 to 500'],
  ])('refuses the health history query %s', async (text, problem) => {
    const [field] = text.split('=');
    expect(await refusal(queryString(text), query(HealthHistoryQuery))).toEqual([{ field, problems: [problem] }]);
  });

  it('reads plain base-10 integers, up to the integer column', async () => {
    await expect(pipe.transform(queryString('limit=007&beforeVersion=2147483647'), query(HealthHistoryQuery))).resolves.toEqual(
      Object.assign(new HealthHistoryQuery(), { limit: 7, beforeVersion: 2147483647 }),
    );
  });

  it.each(['index=', 'index=0x10', 'index=-1', 'index=1.5', 'index=9007199254740992', 'index=١٢'])('refuses the watch query %s', async (text) => {
    expect(await refusal(queryString(text), query(ListServicesQuery))).toEqual([
      { field: 'index', problems: ['index must be a base-10 integer from 0 to 9007199254740991'] },
    ]);
  });

  it('refuses control characters in query filters and a constructor parameter', async () => {
    expect(await refusal(queryString('kind=a%0Ab'), query(ListServicesQuery))).toEqual([
      { field: 'kind', problems: ['kind must not contain control characters (found U+000A at character 2)'] },
    ]);
    expect(await refusal(queryString('constructor=1'), query(ListServicesQuery))).toEqual([
      { field: 'constructor', problems: ['property constructor should not exist'] },
    ]);
  });
});
