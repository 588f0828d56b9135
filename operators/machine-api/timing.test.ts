import assert from 'node:assert/strict';
import { floorRequeue, MIN_REQUEUE_MS, minDefined, toMillis } from './timing.ts';

describe('timing', () => {
  it('reads RFC 3339 strings and Dates, and gives undefined for absent or garbage input', () => {
    assert.equal(toMillis('2026-11-20T10:00:00Z'), Date.UTC(2026, 10, 20, 10));
    assert.equal(toMillis(new Date(5)), 5);
    assert.equal(toMillis(undefined), undefined);
    assert.equal(toMillis(null), undefined);
    assert.equal(toMillis('yesterday-ish'), undefined);
  });

  it('never asks for a requeue below the floor', () => {
    assert.equal(floorRequeue(1), MIN_REQUEUE_MS);
    assert.equal(floorRequeue(-50), MIN_REQUEUE_MS);
    assert.equal(floorRequeue(2500.2), 2501);
  });

  it('finds the smallest defined value', () => {
    assert.equal(minDefined([undefined, 3, 1, undefined]), 1);
    assert.equal(minDefined([undefined]), undefined);
  });
});
