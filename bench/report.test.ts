import assert from 'node:assert/strict';
import { formatTable } from './report.ts';
import type { Figure } from './suite.ts';

describe('bench report table', () => {
  it('puts variants in columns, figures in rows, and shows the ratio to the reference', () => {
    const figures: Figure[] = [
      { figure: 'creates/s, 1 client', variant: 'in-memory', value: 940.4, unit: '1/s', reference: 470 },
      { figure: 'creates/s, 1 client', variant: 'persisted', value: 235, unit: '1/s', reference: 470 },
      { figure: 'full list p50', variant: 'in-memory', value: 12.34, unit: 'ms' },
    ];
    assert.equal(formatTable(figures), [
      'Figure               Unit        in-memory        persisted  Reference',
      '-------------------  ----  ---------------  ---------------  ---------',
      'creates/s, 1 client  1/s   940 (2.00× ref)  235 (0.50× ref)        470',
      'full list p50        ms               12.3                —',
    ].join('\n'));
  });

  it('marks a suspect value with "!" and explains the mark under the table', () => {
    const table = formatTable([{ figure: 'creates/s', variant: 'persisted', value: 3063, unit: '1/s', suspect: true }]);
    assert.equal(table.split('\n')[2], 'creates/s  1/s      3,063!');
    assert.match(table, /\n! = other processes were busy during the measurement: the value may be off$/);
  });
});
