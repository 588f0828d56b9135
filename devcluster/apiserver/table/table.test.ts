import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { KubeObject } from '../types.ts';
import { OBJECT_META_DOCS } from './descriptions.ts';
import { eventPrinter } from './printers/event.ts';
import { NAME_COLUMN, buildTable, defaultPrinter, partialObjectMetadata, rowCells } from './table.ts';

const metadata = { name: 'ms1', namespace: 'openshift-machine-api', uid: 'u1', resourceVersion: '105', creationTimestamp: '2025-01-01T00:00:00Z', labels: { a: 'b' } };
const machineSet: KubeObject = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata, spec: { replicas: 3 } };

describe('buildTable', () => {
  it('builds the meta.k8s.io/v1 Table body of apiserver.md §7.6 with Name first', () => {
    const table = buildTable({
      columns: [
        { name: 'Desired', type: 'integer', format: '', description: 'd', priority: 0 },
        { name: 'Instance', type: 'string', description: 'i', priority: 1 },
        { name: 'Age', type: 'date', format: '', description: 'a', priority: 0 },
      ],
      rows: [{ cells: ['ms1', 3, 'm5.large', '5m'], object: partialObjectMetadata(machineSet) }],
      resourceVersion: '106',
    });
    assert.deepEqual(table, {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '106' },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: OBJECT_META_DOCS.name, priority: 0 },
        { name: 'Desired', type: 'integer', format: '', description: 'd', priority: 0 },
        { name: 'Instance', type: 'string', format: '', description: 'i', priority: 1 },
        { name: 'Age', type: 'date', format: '', description: 'a', priority: 0 },
      ],
      rows: [{ cells: ['ms1', 3, 'm5.large', '5m'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata } }],
    });
  });

  it('carries list metadata for paging and no metadata fields when there are none', () => {
    assert.deepEqual(buildTable({ columns: [], rows: [], resourceVersion: '7', continueToken: 'abc', remainingItemCount: 4 }).metadata, { resourceVersion: '7', continue: 'abc', remainingItemCount: 4 });
    assert.deepEqual(buildTable({ columns: [], rows: [] }).metadata, {});
  });

  it('keeps an empty row list and a null row object for includeObject=None', () => {
    assert.deepEqual(buildTable({ columns: [], rows: [] }).rows, []);
    assert.deepEqual(buildTable({ columns: [], rows: [{ cells: ['x'], object: null }] }).rows, [{ cells: ['x'], object: null }]);
  });

  it('leaves out the Name column for printers that place it themselves, and the definitions for noHeaders', () => {
    const events = buildTable({ columns: eventPrinter.columns, rows: [], omitNameColumn: true });
    assert.deepEqual((events.columnDefinitions as Array<{ name: string }>).map((c) => c.name).slice(0, 4), ['Last Seen', 'Type', 'Reason', 'Object']);
    assert.equal(buildTable({ columns: [], rows: [], noHeaders: true }).columnDefinitions, null);
  });

  it('uses the requested meta.k8s.io version', () => {
    assert.equal(buildTable({ columns: [], rows: [], apiVersion: 'meta.k8s.io/v1beta1' }).apiVersion, 'meta.k8s.io/v1beta1');
  });
});

describe('defaultPrinter', () => {
  it('shows "Created At" as a date column whose cell is the RFC 3339 UTC timestamp (rest/table.go)', () => {
    assert.deepEqual(defaultPrinter.columns.map((c) => [c.name, c.type, c.priority]), [['Created At', 'date', 0]]);
    const cells = (creationTimestamp?: string): unknown => defaultPrinter.cells({ metadata: { name: 'r', creationTimestamp } }, new Date());
    assert.deepEqual(cells('2025-01-01T00:00:00Z'), ['2025-01-01T00:00:00Z']);
    assert.deepEqual(cells('2025-01-01T02:00:00.123+02:00'), ['2025-01-01T00:00:00Z']);
    assert.deepEqual(cells(undefined), ['0001-01-01T00:00:00Z']);
  });
});

describe('rowCells', () => {
  it('puts the name first unless the printer lists Name itself', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    assert.deepEqual(rowCells(defaultPrinter, machineSet, now), ['ms1', '2025-01-01T00:00:00Z']);
    const event: KubeObject = { metadata: { name: 'ev1' }, involvedObject: { kind: 'Pod', name: 'p' } };
    const cells = rowCells(eventPrinter, event, now);
    assert.equal(cells.length, eventPrinter.columns.length);
    assert.equal(cells.at(-1), 'ev1');
  });

  it('exposes the standard Name column definition', () => {
    assert.deepEqual(NAME_COLUMN, { name: 'Name', type: 'string', format: 'name', description: OBJECT_META_DOCS.name, priority: 0 });
  });
});
