import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Json, KubeObject, PrinterColumn } from '../types.ts';
import { DEFAULT_CUSTOM_RESOURCE_COLUMNS, crdCell, customResourceColumns, customResourcePrinter } from './crd.ts';

const now = new Date('2025-01-01T00:05:00Z');
const col = (type: PrinterColumn['type']): PrinterColumn => ({ name: 'C', type, jsonPath: '.x' });

describe('crdCell', () => {
  const cases: Array<[PrinterColumn['type'], unknown[], Json]> = [
    ['integer', [3], 3],
    ['integer', [3.7], 3],
    ['integer', ['3'], null],
    ['integer', [], null],
    ['integer', [null], null],
    ['number', [1.5], 1.5],
    ['number', [2], 2],
    ['number', ['x'], null],
    ['boolean', [true], true],
    ['boolean', ['true'], null],
    ['string', ['abc'], 'abc'],
    ['string', ['first', 'second'], 'first'],
    ['string', [3], '3'],
    ['string', [true], 'true'],
    ['string', [1234567.5], '1.2345675e+06'],
    ['string', [0.00001], '1e-05'],
    ['string', [0.5], '0.5'],
    ['string', [{ b: 1, a: '<x>' }], '{"a":"\\u003cx\\u003e","b":1}'],
    ['string', [['m5.large', 2]], '["m5.large",2]'],
    ['string', [null], null],
    ['date', ['2025-01-01T00:00:00Z'], '5m'],
    ['date', ['2025-01-01T00:04:00.5+00:00'], '59s'],
    ['date', [''], '<unknown>'],
    ['date', ['yesterday'], '<invalid>'],
    ['date', ['2025-01-01'], '<invalid>'],
    ['date', [5], null],
  ];
  for (const [type, value, expected] of cases) {
    it(`renders ${JSON.stringify(value)} in a ${type} column as ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(crdCell(value, col(type), now), expected);
    });
  }
});

describe('customResourceColumns', () => {
  it('serves a single Age column when a version declares none', () => {
    assert.equal(customResourceColumns(undefined), DEFAULT_CUSTOM_RESOURCE_COLUMNS);
    assert.equal(customResourceColumns([]), DEFAULT_CUSTOM_RESOURCE_COLUMNS);
    assert.deepEqual(DEFAULT_CUSTOM_RESOURCE_COLUMNS.map((c) => [c.name, c.type, c.jsonPath]), [['Age', 'date', '.metadata.creationTimestamp']]);
  });

  it('describes columns without a description by their JSONPath, as the CRD table convertor does', () => {
    const [column] = customResourceColumns([{ name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' }]);
    assert.deepEqual(column, { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', format: '', priority: 0, description: 'Custom resource definition column (in JSONPath format): .spec.replicas' });
  });
});

describe('customResourcePrinter', () => {
  const machineSet: KubeObject = {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineSet',
    metadata: { name: 'ms1', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { replicas: 3, template: { spec: { providerSpec: { value: { instanceType: 'm5.large' } } } } },
    status: { replicas: 2 },
  };

  it('evaluates each additionalPrinterColumn against the object', () => {
    const printer = customResourcePrinter([
      { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
      { name: 'Instance', type: 'string', priority: 1, jsonPath: '.spec.template.spec.providerSpec.value.instanceType' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(printer.cells(machineSet, now), [3, 2, null, 'm5.large', '5m']);
  });

  it('prints the age for a version without columns', () => {
    assert.deepEqual(customResourcePrinter(undefined).cells(machineSet, now), ['5m']);
  });
});
