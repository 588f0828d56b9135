import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { compileJsonPath, evaluateJsonPath } from './jsonpath.ts';

const machine = {
  metadata: { name: 'ms-1', labels: { 'app.kubernetes.io/name': 'web', app: 'a' } },
  spec: {
    replicas: 3,
    containers: [{ name: 'a', image: 'ia' }, { name: 'b', image: 'ib' }, { name: 'c', image: 'ic' }],
  },
  status: {
    readyReplicas: null,
    conditions: [
      { type: 'Ready', status: 'True', count: 2 },
      { type: 'Synced', status: 'False', count: 1.5 },
    ],
  },
};

describe('evaluateJsonPath', () => {
  const cases: Array<[string, unknown[]]> = [
    ['.spec.replicas', [3]],
    ['.metadata.name', ['ms-1']],
    ['.spec.containers[0].name', ['a']],
    ['.spec.containers[-1].name', ['c']],
    ['.spec.containers[*].name', ['a', 'b', 'c']],
    ['.spec.containers[1:].image', ['ib', 'ic']],
    ['.spec.containers[0:2].image', ['ia', 'ib']],
    ['.spec.containers[0:3:2].name', ['a', 'c']],
    ['.spec.containers[0,2].name', ['a', 'c']],
    ['.spec.containers[5].name', []],
    ['.spec.replicas[0]', []],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['web']],
    [".metadata.labels['app\\.kubernetes\\.io/name']", ['web']],
    // client-go re-parses ['x.y'] as .x.y: dots inside brackets still split the key.
    [".metadata.labels['app.kubernetes.io/name']", []],
    [".metadata.labels['app']", ['a']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Synced')].status", ['False']],
    ['.status.conditions[?(@.status!="True")].type', ['Synced']],
    ['.status.conditions[?(@.count>1)].type', []],
    ['.status.conditions[?(@.count)].type', ['Ready', 'Synced']],
    ['.status.conditions[?(@.missing)].type', []],
    ['.status.readyReplicas', [null]],
    ['.status.missing', []],
    ['.status.missing.deeper', []],
    ['..image', ['ia', 'ib', 'ic']],
    ['$.spec.replicas', [3]],
    ['.spec.*', [3, machine.spec.containers]],
  ];
  for (const [path, expected] of cases) {
    it(`finds ${JSON.stringify(expected)} at ${path}`, () => {
      assert.deepEqual(evaluateJsonPath(machine, path), expected);
    });
  }

  it('compares integers with integer literals and floats with float literals only, like the Go template package', () => {
    const items = { items: [{ n: 1 }, { n: 2 }, { n: 3 }] };
    assert.deepEqual(evaluateJsonPath(items, '.items[?(@.n>1)].n'), [2, 3]);
    assert.deepEqual(evaluateJsonPath(items, '.items[?(@.n<=2)].n'), [1, 2]);
    assert.deepEqual(evaluateJsonPath(items, '.items[?(@.n==1.0)].n'), []);
    assert.deepEqual(evaluateJsonPath({ items: [{ f: 1.5 }] }, '.items[?(@.f>1.2)].f'), [1.5]);
  });

  it('fails the whole path when a filter cannot compare one element, as upstream does', () => {
    const conditions = { c: [{ type: 'Ready', status: 'True' }, { status: 'False' }] };
    assert.deepEqual(evaluateJsonPath(conditions, '.c[?(@.type=="Ready")].status'), []);
  });

  it('matches nothing for an unparsable path instead of throwing', () => {
    assert.deepEqual(evaluateJsonPath(machine, '.spec.containers['), []);
    assert.deepEqual(evaluateJsonPath(machine, '.spec.containers[x]'), []);
  });
});

describe('compileJsonPath', () => {
  it('compiles each path once and reuses it', () => {
    assert.equal(compileJsonPath('.spec.replicas'), compileJsonPath('.spec.replicas'));
  });

  it('throws on syntax errors so CRD validation can reject the column', () => {
    assert.throws(() => compileJsonPath('.a['), /unterminated array/);
    assert.throws(() => compileJsonPath('.a[?(@.x=="y"'), /unterminated filter/);
    assert.throws(() => compileJsonPath('.a[b]'), /invalid array index b/);
    assert.throws(() => compileJsonPath('.a[?(@.x=="y")'), /unclosed array expect \]/);
    assert.throws(() => compileJsonPath('.a ^'), /unrecognized character in action/);
  });
});
