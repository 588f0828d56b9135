import assert from 'node:assert/strict';
import { createLogger, kindRef } from './log.ts';

describe('createLogger', () => {
  it('writes one JSON line with ts, level, msg, logger and the fields', () => {
    const lines: string[] = [];
    const log = createLogger({ name: 'machineset-controller', sink: (l) => lines.push(l), now: () => new Date('2026-11-20T10:00:00Z') });
    log.child(undefined, kindRef('MachineSet', { namespace: 'openshift-machine-api', name: 'workers' })).info('Creating Machine', {
      replicas: 3,
      error: new Error('quota exceeded'),
      machine: { metadata: { name: 'workers-abc', namespace: 'openshift-machine-api' }, spec: { huge: true } },
    });
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      {
        ts: '2026-11-20T10:00:00.000Z',
        level: 'info',
        msg: 'Creating Machine',
        logger: 'machineset-controller',
        MachineSet: 'openshift-machine-api/workers',
        replicas: 3,
        error: 'quota exceeded',
        machine: 'openshift-machine-api/workers-abc',
      },
    ]);
  });

  it('drops lines below its level and names children with dots', () => {
    const lines: string[] = [];
    const log = createLogger({ name: 'mao', level: 'warn', sink: (l) => lines.push(l) });
    log.info('hidden');
    log.child('leader-election').warn('shown');
    assert.deepEqual(lines.map((l) => JSON.parse(l).logger), ['mao.leader-election']);
  });
});
