import assert from 'node:assert/strict';
import { requestVerb } from './request-info.ts';

describe('requestVerb', () => {
  const cases: ReadonlyArray<[method: string, named: boolean, query: string, verb: string]> = [
    ['GET', true, '', 'get'],
    ['GET', false, '', 'list'],
    ['GET', false, 'watch=true', 'watch'],
    ['GET', true, 'watch=1', 'watch'],
    ['GET', false, 'watch=false', 'list'],
    ['HEAD', true, '', 'get'],
    ['POST', false, '', 'create'],
    ['PUT', true, '', 'update'],
    ['PATCH', true, '', 'patch'],
    ['DELETE', true, '', 'delete'],
    ['DELETE', false, '', 'deletecollection'],
    ['OPTIONS', false, '', 'options'],
  ];
  for (const [method, named, query, verb] of cases) {
    it(`names ${method} of ${named ? 'an object' : 'a collection'}${query ? ` with ${query}` : ''} ${verb}`, () => {
      assert.equal(requestVerb(method, named, new URLSearchParams(query)), verb);
    });
  }
});
