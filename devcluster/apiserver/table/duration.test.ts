import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { formatHumanDuration, translateTimestampSince } from './duration.ts';

const ms = 1;
const s = 1000 * ms;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('formatHumanDuration', () => {
  // k8s.io/apimachinery/pkg/util/duration/duration_test.go TestHumanDuration and TestHumanDurationBoundaries.
  const cases: Array<[number, string]> = [
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * d, '367d'],
    [(365 * 2 * 24 + 25) * h, '2y1d'],
    [(365 * 8 * 24 + 2) * h, '8y'],
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [s - ms, '0s'],
    [59 * s, '59s'],
    [90 * s, '90s'],
    [2 * m - ms, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - ms, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - ms, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - ms, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - ms, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [8 * d - ms, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - ms, '729d'],
    [2 * y, '2y'],
    [2 * y + 23 * h, '2y'],
    [2 * y + d - ms, '2y'],
    [2 * y + d, '2y1d'],
    [3 * y, '3y'],
    [7 * y, '7y'],
    [8 * y - ms, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
  ];
  for (const [duration, text] of cases) {
    it(`renders ${duration} ms as ${text}`, () => {
      assert.equal(formatHumanDuration(duration), text);
    });
  }
});

describe('translateTimestampSince', () => {
  const now = new Date('2025-01-01T01:00:00Z');

  it('renders the age of an RFC 3339 timestamp', () => {
    assert.equal(translateTimestampSince('2025-01-01T00:55:00Z', now), '5m');
    assert.equal(translateTimestampSince('2025-01-01T00:59:59.500000Z', now), '0s');
  });

  it('prints "<unknown>" for a missing timestamp, as upstream does for the zero time', () => {
    assert.equal(translateTimestampSince(undefined, now), '<unknown>');
    assert.equal(translateTimestampSince('', now), '<unknown>');
  });
});
