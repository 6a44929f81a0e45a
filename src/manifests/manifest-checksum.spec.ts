import { createHash } from 'node:crypto';
import { canonicalJson, manifestChecksum } from './manifest-checksum';

describe('manifest checksum', () => {
  it('writes keys sorted at every depth, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same checksum whatever order keys were written in', () => {
    expect(manifestChecksum({ slug: 'a', env: [{ key: 'K', value: 'v' }] })).toBe(manifestChecksum({ env: [{ value: 'v', key: 'K' }], slug: 'a' }));
  });

  it('is the sha256 of the canonical JSON', () => {
    expect(manifestChecksum({ b: 'x', a: 1 })).toBe(createHash('sha256').update('{"a":1,"b":"x"}').digest('hex'));
  });

  it('changes when a value or the order of a list changes', () => {
    const base = manifestChecksum({ tags: ['a', 'b'], port: '1' });
    expect(manifestChecksum({ tags: ['b', 'a'], port: '1' })).not.toBe(base);
    expect(manifestChecksum({ tags: ['a', 'b'], port: '2' })).not.toBe(base);
    expect(manifestChecksum({ tags: ['a', 'b'], port: 1 })).not.toBe(base);
  });

  it('drops undefined members, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('writes empty objects and lists, and undefined list items as null', () => {
    expect(canonicalJson({ a: {}, b: [undefined, {}], c: [], d: { e: undefined } })).toBe('{"a":{},"b":[null,{}],"c":[],"d":{}}');
  });

  it('escapes keys and strings as JSON', () => {
    expect(canonicalJson({ 'a"b': 'line\nbreak' })).toBe('{"a\\"b":"line\\nbreak"}');
  });
});
