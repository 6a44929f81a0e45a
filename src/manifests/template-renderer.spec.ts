import { TemplateError, TemplateRenderer, TemplateScope } from './template-renderer';

const scope: TemplateScope = {
  env: { HOME: '/home/op', EMPTY: '', PORT: '4300' },
  placeholders: { DATA_DIR: '/data' },
  variables: { WORKERS: '7' },
  module: { id: 'github.com/apphub/local-services' },
};

describe('TemplateRenderer', () => {
  const renderer = new TemplateRenderer();
  const render = (template: string) => renderer.render(template, scope);

  it.each([
    ['{{ env.OBSERVATORY_FILESTORE_BASE_URL | default:http://127.0.0.1:4300 }}', 'http://127.0.0.1:4300'],
    ['{{ env.DATA_ROOT | default: /tmp }}/observatory', '/tmp/observatory'],
    ['{{ env.EMPTY | default: /tmp }}', '/tmp'],
    ['{{ env.HOME | default: /tmp }}', '/home/op'],
    ['{{ env.NOPE | default: it\'s "quoted" text }}', 'it\'s "quoted" text'],
    ['{{ env.NOPE | default: C:\\data\\x }}', 'C:\\data\\x'],
    ['{{ env.NOPE | default:foo.bar }}', 'foo.bar'],
    ['{{ env.NOPE | default: a, b }}', 'a, b'],
  ])('reads an unquoted argument as the raw text up to the next | or }}: %s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('resolves an argument that is a dotted path into env, placeholders or variables', () => {
    expect(render('{{ env.NOPE | default:env.HOME }}')).toBe('/home/op');
    expect(render('{{ env.NOPE | default: placeholders.DATA_DIR }}/x')).toBe('/data/x');
    expect(render('{{ env.NOPE | default:variables.WORKERS | number }}')).toBe(7);
  });

  it('types null, true, false and numbers, and keeps the type of a string that is exactly one template', () => {
    expect(render('{{ variables.WORKERS | default:1 | number }}')).toBe(7);
    expect(render('{{ variables.NOPE | default:1 | number }}')).toBe(1);
    expect(render('{{ env.T | default:null }}')).toBeNull();
    expect(render('{{ env.T | default:false }}')).toBe(false);
    expect(render('{{ env.T | default:2.5 }}')).toBe(2.5);
    expect(render('{{ env.PORT | int }}')).toBe(4300);
    expect(render('{{ env.NOPE }}')).toBeUndefined();
    // Anything around the template makes a string.
    expect(render('{{ env.PORT | number }}/')).toBe('4300/');
    expect(render(' {{ env.PORT | number }}')).toBe(' 4300');
    expect(render('{{ env.T | default:null }}x')).toBe('x');
  });

  it.each([
    ['{{ " Mixed " | trim | lower }}', 'mixed'],
    ['{{ "mixed" | upper }}', 'MIXED'],
    ['{{ "yes" | bool }}', true],
    ['{{ "OFF" | boolean }}', false],
    ['{{ 0 | bool }}', false],
    ['{{ "3.7" | int }}', 3],
    ['{{ "3.7" | float }}', 3.7],
    ['{{ env.NOPE | number | default: 5 }}', 5],
    ['{{ env.NOPE | trim | default: none }}', 'none'],
  ])('applies the dialect filters: %s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('keeps standard Liquid working: quoted arguments, several arguments, tags, whitespace control', () => {
    expect(render('{{ env.NOPE | default: "/srv" }}/data')).toBe('/srv/data');
    expect(render("{{ env.NOPE | default: 'a|b' }}")).toBe('a|b');
    expect(render('{{ env.HOME | replace: "/home", "/users" }}')).toBe('/users/op');
    expect(render('{% if env.HOME %}home={{ env.HOME }}{% else %}none{% endif %}')).toBe('home=/home/op');
    expect(render('a {{- " b " -}} c')).toBe('a b c');
    expect(render('{% raw %}{{ not rendered | nosuch }}{% endraw %}')).toBe('{{ not rendered | nosuch }}');
    expect(render('{{ module.id }}')).toBe('github.com/apphub/local-services');
    expect(render('no template at all')).toBe('no template at all');
  });

  it('names an unknown filter and the output it is in', () => {
    expect(() => renderer.check('{{ env.PORT | nmber }}')).toThrow(
      new TemplateError('unknown filter "nmber" in {{ env.PORT | nmber }} (filters: default, number, int, float, bool, boolean, trim, lower, upper and Liquid\'s own)'),
    );
  });

  it('reports a template that does not parse, and a value a filter cannot convert', () => {
    expect(() => renderer.check('{% if env.HOME %}/data')).toThrow(/^is not a valid Liquid template: tag \{% if env\.HOME %\} not closed/);
    expect(() => renderer.check('{{ env.HOME ')).toThrow(/^is not a valid Liquid template: output "\{\{ env\.HOME " not closed/);
    expect(() => render('{{ "abc" | number }}')).toThrow(new TemplateError('"abc" is not a number (filter "number")'));
    expect(() => render('{{ "maybe" | bool }}')).toThrow(/"maybe" is not a boolean/);
  });

  it('renders text: null and undefined empty, other values as strings', () => {
    expect(renderer.renderString('{{ env.T | default:null }}', scope)).toBe('');
    expect(renderer.renderString('{{ env.PORT | number }}', scope)).toBe('4300');
    expect(renderer.renderString('{{ "on" | bool }}', scope)).toBe('true');
  });
});
