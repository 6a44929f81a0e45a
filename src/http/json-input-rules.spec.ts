import { inspectJsonInput, joinPath, MAX_JSON_DEPTH } from './json-input-rules';
import { textProblem } from './request-text';

/** `{ "a": { "a": … 1 } }` with `levels` objects, the outermost included. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

describe('textProblem', () => {
  it.each(['plain', 'ünïcödé ✓', '😀 paired surrogates', ''])('accepts %j as single-line and free text', (text) => {
    expect(textProblem(text, 'single-line')).toBeNull();
    expect(textProblem(text, 'free-text')).toBeNull();
  });

  it.each(['line\nbreak', 'tab\there', 'cr\r'])('accepts tab, line feed and carriage return in free text only: %j', (text) => {
    expect(textProblem(text, 'free-text')).toBeNull();
    expect(textProblem(text, 'single-line')).toMatch(/must not contain control characters \(found U\+000[9AD] at character \d+\)/);
  });

  it.each([
    ['a\u0000b', 'U+0000 at character 2'],
    ['\u0001', 'U+0001 at character 1'],
    ['esc\u001b[0m', 'U+001B at character 4'],
    ['del\u007f', 'U+007F at character 4'],
    ['nel\u0085', 'U+0085 at character 4'],
    ['c1\u009f', 'U+009F at character 3'],
  ])('refuses the control character in %j, saying which and where', (text, found) => {
    expect(textProblem(text, 'free-text')).toBe(`must not contain control characters other than tab, line feed and carriage return (found ${found})`);
    expect(textProblem(text, 'single-line')).toBe(`must not contain control characters (found ${found})`);
  });

  it.each([
    ['\ud800', 'U+D800 at character 1'],
    ['x\udfff', 'U+DFFF at character 2'],
    ['\ude00\ud83d', 'U+DE00 at character 1'],
  ])('refuses a lone surrogate in %j (Postgres cannot store it)', (text, found) => {
    expect(textProblem(text, 'free-text')).toBe(`must be well-formed Unicode text (found the lone surrogate ${found})`);
  });
});

describe('inspectJsonInput', () => {
  it('accepts ordinary JSON, including keys named after Object.prototype members', () => {
    expect(inspectJsonInput({ slug: 'a', metadata: { constructor: 'x', toString: 1, list: [1, 'two\nlines', null, true] } })).toEqual([]);
    expect(inspectJsonInput(undefined)).toEqual([]);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses ${MAX_JSON_DEPTH + 1}, naming the top-level field once`, () => {
    expect(inspectJsonInput(nested(MAX_JSON_DEPTH))).toEqual([]);
    expect(inspectJsonInput({ capabilities: nested(MAX_JSON_DEPTH - 1) })).toEqual([]);
    const tooDeep = { capabilities: nested(MAX_JSON_DEPTH), metadata: nested(MAX_JSON_DEPTH * 2) };
    expect(inspectJsonInput(tooDeep)).toEqual([
      { field: 'capabilities', problems: [`nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (the limit)`] },
    ]);
  });

  it('walks 100 000 levels without recursion', () => {
    let deep: unknown = [];
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(inspectJsonInput(deep)).toEqual([{ field: '[0]', problems: [expect.stringMatching(/nests deeper than/)] }]);
  });

  it('names the path of every bad string and key, in document order', () => {
    const problems = inspectJsonInput({
      statusMessage: 'a\u0000',
      metadata: { ok: 'fine', 'bad\u0007key': 1, nested: [{ x: '\ud800' }] },
    });
    expect(problems.map((problem) => problem.field)).toEqual(['statusMessage', 'metadata["bad\\u0007key"]', 'metadata.nested[0].x']);
    expect(problems[1].problems).toEqual(['key must not contain control characters (found U+0007 at character 4)']);
  });

  it('refuses __proto__ as a key at any depth', () => {
    const body = JSON.parse('{"__proto__": {"polluted": true}, "metadata": {"a": {"__proto__": 1}}}');
    expect(inspectJsonInput(body)).toEqual([
      { field: '__proto__', problems: ['property __proto__ should not exist'] },
      { field: 'metadata.a.__proto__', problems: ['property __proto__ should not exist'] },
    ]);
  });

  it('refuses numbers JSON.parse could only turn into Infinity', () => {
    expect(inspectJsonInput(JSON.parse('{"capabilities": [1e400]}'))).toEqual([{ field: 'capabilities[0]', problems: ['is a number out of range'] }]);
  });

  it('lists at most 20 problems', () => {
    expect(inspectJsonInput(Array.from({ length: 100 }, () => '\u0000'))).toHaveLength(20);
  });
});

describe('joinPath', () => {
  it('uses dots for names, brackets for anything else, and cuts long keys short', () => {
    expect(joinPath('', 'metadata')).toBe('metadata');
    expect(joinPath('metadata', 'owner_1')).toBe('metadata.owner_1');
    expect(joinPath('metadata', 'with space')).toBe('metadata["with space"]');
    expect(joinPath('', 'k'.repeat(1000))).toBe(`["${'k'.repeat(60)}…"]`);
    expect(joinPath('m', 'a\u0000\u007f\u0085\ud800')).toBe('m["a\\u0000\\u007f\\u0085\\ud800"]');
  });
});
