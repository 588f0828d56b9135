import assert from 'node:assert/strict';
import { TerminalError } from '../../runtime/errors.ts';
import { boolean, integer, invalidConfiguration, list, object, oneOf, string } from './spec-fields.ts';

const P = 'spec.providerSpec.value.x';

describe('providerSpec field readers', () => {
  const cases: { name: string; read: (errors: string[]) => unknown; value: unknown; errors: string[] }[] = [
    { name: 'reads an absent, null or empty string as unset', read: (e) => [string(undefined, P, e), string(null, P, e), string('', P, e)], value: [undefined, undefined, undefined], errors: [] },
    { name: 'rejects a string that is not one', read: (e) => string(3, P, e), value: undefined, errors: [`${P}: Invalid value: 3: must be a string`] },
    { name: 'checks a string against its pattern', read: (e) => string('A', P, e, /^[a-z]$/), value: undefined, errors: [`${P}: Invalid value: "A": must match ^[a-z]$`] },
    { name: 'names an unknown field with its full path', read: (e) => object({ a: 1, b: 2 }, P, e, ['a']), value: { a: 1, b: 2 }, errors: [`unknown field "${P}.b"`] },
    { name: 'rejects a list where an object belongs', read: (e) => object([], P, e), value: undefined, errors: [`${P}: Invalid value: []: must be an object`] },
    { name: 'reads list items at their index and drops the bad ones', read: (e) => list(['a', 1, 'c'], P, e, (v, p) => string(v, p, e)), value: ['a', 'c'], errors: [`${P}[1]: Invalid value: 1: must be a string`] },
    { name: 'rejects a non-list', read: (e) => list('a', P, e, (v) => v), value: [], errors: [`${P}: Invalid value: "a": must be a list`] },
    { name: 'rejects a string boolean', read: (e) => boolean('true', P, e), value: undefined, errors: [`${P}: Invalid value: "true": must be a boolean`] },
    { name: 'rejects an integer out of range', read: (e) => integer(8, P, 1, 7, e), value: undefined, errors: [`${P}: Invalid value: 8: must be between 1 and 7, inclusive`] },
    { name: 'rejects a fraction where an integer belongs', read: (e) => integer(1.5, P, 0, 9, e), value: undefined, errors: [`${P}: Invalid value: 1.5: must be an integer`] },
    { name: 'lists the supported values of an enum', read: (e) => oneOf('c', P, ['a', 'b'], e), value: undefined, errors: [`${P}: Unsupported value: "c": supported values: "a", "b"`] },
    { name: 'reads an empty enum as unset', read: (e) => oneOf('', P, ['a'], e), value: undefined, errors: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errors: string[] = [];
      assert.deepEqual(c.read(errors), c.value);
      assert.deepEqual(errors, c.errors);
    });
  }

  it('aggregates errors as apimachinery does: one alone, several in brackets, none as a missing providerSpec', () => {
    const one = invalidConfiguration(['a: Required value']);
    assert.ok(one instanceof TerminalError);
    assert.equal(one.reason, 'InvalidConfiguration');
    assert.equal(one.message, 'a: Required value');
    assert.equal(invalidConfiguration(['a', 'b']).message, '[a, b]');
    assert.equal(invalidConfiguration([]).message, 'spec.providerSpec.value: Required value');
  });
});
