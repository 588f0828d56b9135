import assert from 'node:assert/strict';
import { requestKey, subtractCounts, totalOf } from './request-verbs.ts';

describe('Machine API bench request names', () => {
  const ns = '/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api';
  const cases: Array<[string, string, string]> = [
    ['POST', `${ns}/machines`, 'create machines'],
    ['GET', `${ns}/machines/m-1`, 'get machines'],
    ['GET', `${ns}/machines?limit=500`, 'list machines'],
    ['GET', `${ns}/machines?watch=true&resourceVersion=12&allowWatchBookmarks=true`, 'watch machines'],
    ['GET', `${ns}/machines?watch=1`, 'watch machines'],
    ['GET', `${ns}/machines?watch=false`, 'list machines'],
    ['PATCH', `${ns}/machines/m-1/status`, 'patch machines/status'],
    ['PUT', `${ns}/machinesets/ms/status`, 'update machinesets/status'],
    ['DELETE', `${ns}/machines/m-1`, 'delete machines'],
    ['DELETE', `${ns}/machines`, 'deletecollection machines'],
    ['PATCH', '/api/v1/nodes/node-1', 'patch nodes'],
    ['GET', '/api/v1/nodes?watch=true', 'watch nodes'],
    ['POST', '/api/v1/namespaces/openshift-machine-api/events', 'create events'],
    ['GET', '/api/v1/namespaces/openshift-machine-api', 'get namespaces'],
    ['GET', '/apis/machine.openshift.io/v1beta1', 'get /apis/machine.openshift.io/v1beta1'],
    ['GET', '/version', 'get /version'],
  ];
  for (const [method, path, expected] of cases) {
    it(`names ${method} ${path} "${expected}"`, () => {
      assert.equal(requestKey(method, path), expected);
    });
  }

  it('subtracts two snapshots key by key and leaves out the unchanged keys', () => {
    assert.deepEqual(subtractCounts({ 'create machines': 10, 'watch nodes': 2, 'get machines': 1 }, { 'watch nodes': 2, 'get machines': 0 }), {
      'create machines': 10,
      'get machines': 1,
    });
  });

  it('totals a snapshot', () => {
    assert.equal(totalOf({ a: 2, b: 3 }), 5);
    assert.equal(totalOf({}), 0);
  });
});
