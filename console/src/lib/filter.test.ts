import assert from 'node:assert/strict';
import { matchesFilter, parseFilter } from './filter.ts';

const COLUMNS = ['namespace', 'phase', 'zone', 'node'];
const row = { name: 'worker-a-x7k2p', namespace: 'openshift-machine-api', phase: 'Running', zone: 'us-east-1a', node: 'ip-10-0-1-5' };

describe('console table filter', () => {
  const cases: { filter: string; matches: boolean }[] = [
    { filter: '', matches: true },
    { filter: 'x7k2', matches: true },
    { filter: 'WORKER-A', matches: true },
    { filter: 'worker x7k2p', matches: true },
    { filter: 'worker-b', matches: false },
    { filter: 'phase:running', matches: true },
    { filter: 'phase:failed', matches: false },
    { filter: 'zone:1a node:10-0-1', matches: true },
    { filter: 'worker zone:1b', matches: false },
    { filter: 'namespace:', matches: true },
    { filter: 'region:us', matches: false },
  ];
  for (const { filter, matches } of cases) {
    it(`${matches ? 'keeps' : 'drops'} the row for "${filter}"`, () => {
      assert.equal(matchesFilter(row, parseFilter(filter, COLUMNS)), matches);
    });
  }

  it('treats an unknown column prefix as part of a name term', () => {
    assert.deepEqual(parseFilter('region:us zone:a', COLUMNS), { name: ['region:us'], columns: new Map([['zone', ['a']]]) });
  });
});
