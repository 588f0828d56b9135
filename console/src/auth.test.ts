import assert from 'node:assert/strict';
import { takeTokenFromFragment } from './auth.ts';

describe('console token hand-over', () => {
  const cases: { hash: string; token: string | undefined; rest: string }[] = [
    { hash: '#token=abc', token: 'abc', rest: '' },
    { hash: '#token=a%2Bb%3D&x=1', token: 'a+b=', rest: '#x=1' },
    { hash: '#x=1', token: undefined, rest: '#x=1' },
    { hash: '', token: undefined, rest: '' },
    { hash: '#token=', token: undefined, rest: '' },
  ];
  for (const c of cases) {
    it(`takes ${c.token === undefined ? 'no token' : `"${c.token}"`} from "${c.hash}" and leaves "${c.rest}"`, () => {
      assert.deepEqual(takeTokenFromFragment(c.hash), { token: c.token, rest: c.rest });
    });
  }
});
