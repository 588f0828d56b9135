import assert from 'node:assert/strict';
import { percentile, roundForReport, summarize } from './stats.ts';

describe('bench statistics', () => {
  const cases: Array<[number[], number, number]> = [
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 1],
    [[7], 99, 7],
    [[1, 2], 0, 1],
  ];
  for (const [samples, p, expected] of cases) {
    it(`takes the nearest-rank p${p} of ${samples.length} samples as ${expected}`, () => {
      assert.equal(percentile(samples, p), expected);
    });
  }

  it('gives NaN for a percentile of no samples', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('summarizes unsorted samples without reordering the input', () => {
    const samples = [30, 10, 20, 40];
    assert.deepEqual(summarize(samples), { count: 4, p50: 20, p95: 40, p99: 40, max: 40, mean: 25 });
    assert.deepEqual(samples, [30, 10, 20, 40]);
  });

  it('rounds large figures to whole numbers and small ones to 3 significant digits', () => {
    assert.equal(roundForReport(1249.6), 1250);
    assert.equal(roundForReport(12.345), 12.3);
    assert.equal(roundForReport(0.012345), 0.0123);
  });
});
