import assert from 'node:assert/strict';
import { parseGoDuration } from './duration.ts';

describe('parseGoDuration', () => {
  const table: Array<{ text: string; expected: number | undefined }> = [
    { text: '300s', expected: 300_000 },
    { text: '10m', expected: 600_000 },
    { text: '1h30m', expected: 5_400_000 },
    { text: '1.5h', expected: 5_400_000 },
    { text: '.5s', expected: 500 },
    { text: '1.s', expected: 1000 },
    { text: '250ms', expected: 250 },
    { text: '1500us', expected: 1.5 },
    { text: '2µs', expected: 0.002 },
    { text: '0', expected: 0 },
    { text: '0s', expected: 0 },
    { text: '-5m', expected: -300_000 },
    { text: '', expected: undefined },
    { text: '5', expected: undefined },
    { text: '.s', expected: undefined },
    { text: '3d', expected: undefined },
    { text: '1h 30m', expected: undefined },
  ];
  for (const { text, expected } of table) {
    it(`parses ${JSON.stringify(text)} as ${expected === undefined ? 'not a duration' : `${expected} ms`}`, () => {
      const got = parseGoDuration(text);
      if (expected === undefined) assert.equal(got, undefined);
      else assert.ok(got !== undefined && Math.abs(got - expected) < 1e-9, `got ${got}`);
    });
  }
});
