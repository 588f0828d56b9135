import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { compareVersions, formatSemVer, isSemVer, parseSemVer, sameVersion } from './semver.ts';

describe('semver', () => {
  it('accepts strict SemVer only', () => {
    for (const v of ['4.16.3', '4.17.0-rc.1', '4.16.3+amd64', '0.0.0-0.nightly-2024-01-01-000000']) assert.ok(isSemVer(v), v);
    for (const v of ['4.16', 'v4.16.3', '04.16.3', '4.16.3-', '4.16.3-01', '']) assert.ok(!isSemVer(v), v);
  });

  it('orders by precedence: pre-releases first, numeric identifiers numerically, build metadata ignored', () => {
    const ordered = ['4.16.9', '4.16.10', '4.17.0-ec.2', '4.17.0-rc.0', '4.17.0-rc.1', '4.17.0-rc.1.5', '4.17.0', '5.0.0'];
    const shuffled = [...ordered].reverse();
    assert.deepEqual(shuffled.sort(compareVersions), ordered);
    assert.equal(compareVersions('4.17.0-rc.10', '4.17.0-rc.9'), 1);
    assert.ok(sameVersion('4.16.3+amd64', '4.16.3'));
    assert.ok(!sameVersion('4.16.3', 'nope'));
  });

  it('formats what it parses back to the same text', () => {
    for (const v of ['4.17.0-rc.1+arm64.x', '1.2.3']) assert.equal(formatSemVer(parseSemVer(v)!), v);
  });
});
