import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import {
  AUTO_UPDATE_ANNOTATION,
  AUTO_UPDATE_CONDITION,
  autoUpdateCondition,
  autoUpdateNotFollowedCondition,
  maintenanceWindowState,
  nextAutomaticUpdate,
  parseAutoUpdatePolicy,
  type AutoUpdateInput,
  type AutoUpdatePolicy,
  type MaintenanceWindow,
} from './auto-update.ts';

// 2024-01-06 is a Saturday.
const at = (iso: string) => new Date(iso);
const window = (w: Partial<MaintenanceWindow>): MaintenanceWindow => ({ days: ['Sat', 'Sun'], start: '02:00', durationMinutes: 240, timeZone: 'UTC', ...w });

describe('auto-update policy annotation', () => {
  const parse = (value: unknown) => parseAutoUpdatePolicy({ [AUTO_UPDATE_ANNOTATION]: typeof value === 'string' ? value : JSON.stringify(value) });
  const root = `metadata.annotations[${AUTO_UPDATE_ANNOTATION}]`;

  it('is off when the annotation is absent', () => {
    assert.deepEqual(parseAutoUpdatePolicy({ other: 'x' }), { ok: true, policy: undefined });
  });

  it('reads windows, expanding day ranges and defaulting the time zone to UTC', () => {
    assert.deepEqual(parse({ enabled: true, maintenanceWindows: [{ days: ['Fri-Mon'], start: '22:30', durationMinutes: 180 }] }), {
      ok: true,
      policy: { enabled: true, maintenanceWindows: [{ days: ['Sun', 'Mon', 'Fri', 'Sat'], start: '22:30', durationMinutes: 180, timeZone: 'UTC' }] },
    });
    const everyDay = parse({ enabled: true, maintenanceWindows: [{ start: '00:00', durationMinutes: 60 }] });
    assert.ok(everyDay.ok);
    assert.equal(everyDay.policy?.maintenanceWindows[0].days.length, 7);
  });

  const errors: { name: string; value: unknown; errors: string[] }[] = [
    { name: 'text that is not JSON', value: '{enabled: true}', errors: [`${root}: not valid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)`] },
    { name: 'a missing enabled', value: { maintenanceWindows: [] }, errors: [`${root}.enabled: must be true or false`] },
    {
      name: 'enabled without windows',
      value: { enabled: true, maintenanceWindows: [] },
      errors: [`${root}.maintenanceWindows: at least one window is required when enabled is true (automatic updates start only inside a window)`],
    },
    {
      name: 'a bad start, duration, time zone, day and a misspelt field',
      value: { enabled: true, maintenanceWindows: [{ days: ['Sat', 'Caturday'], start: '25:00', duration: 5, durationMinutes: 0, timeZone: 'Europe/Paris' }] },
      errors: [
        `${root}.maintenanceWindows[0].duration: unknown field (known: days, start, durationMinutes, timeZone)`,
        `${root}.maintenanceWindows[0].days[1]: "Caturday" is not a day (Sun, Mon, Tue, Wed, Thu, Fri, Sat), a range such as "Mon-Fri", or "*"`,
        `${root}.maintenanceWindows[0].start: "25:00" is not a time of day (HH:MM, 00:00-23:59)`,
        `${root}.maintenanceWindows[0].durationMinutes: 0 must be a whole number of minutes from 1 to 10080`,
        `${root}.maintenanceWindows[0].timeZone: "Europe/Paris" is not supported: only "UTC" (windows are kept free of daylight-saving jumps)`,
      ],
    },
  ];
  for (const c of errors) {
    it(`names the field for ${c.name}`, () => {
      assert.deepEqual(parse(c.value), { ok: false, errors: c.errors });
    });
  }
});

describe('maintenance window math (UTC)', () => {
  const weekend = [window({})];
  const cases: { name: string; windows: MaintenanceWindow[]; now: string; want: ReturnType<typeof maintenanceWindowState> }[] = [
    { name: 'is open inside a window', windows: weekend, now: '2024-01-06T03:00:00Z', want: { open: true, closesAt: at('2024-01-06T06:00:00Z') } },
    { name: 'opens at the start minute', windows: weekend, now: '2024-01-06T02:00:00Z', want: { open: true, closesAt: at('2024-01-06T06:00:00Z') } },
    { name: 'is closed at the end minute', windows: weekend, now: '2024-01-06T06:00:00Z', want: { open: false, nextStart: at('2024-01-07T02:00:00Z') } },
    { name: 'points from Friday to Saturday\'s start', windows: weekend, now: '2024-01-05T23:00:00Z', want: { open: false, nextStart: at('2024-01-06T02:00:00Z') } },
    { name: 'points from Sunday night to next Saturday', windows: weekend, now: '2024-01-07T07:00:00Z', want: { open: false, nextStart: at('2024-01-13T02:00:00Z') } },
    {
      name: 'keeps a window that crosses midnight open on the next day',
      windows: [window({ days: ['Fri'], start: '22:00', durationMinutes: 240 })],
      now: '2024-01-06T01:30:00Z',
      want: { open: true, closesAt: at('2024-01-06T02:00:00Z') },
    },
    {
      name: 'does not open a Friday-night window on Saturday night',
      windows: [window({ days: ['Fri'], start: '22:00', durationMinutes: 240 })],
      now: '2024-01-06T23:00:00Z',
      want: { open: false, nextStart: at('2024-01-12T22:00:00Z') },
    },
    {
      name: 'wraps a day range across the week end',
      windows: [window({ days: ['Sun', 'Mon', 'Fri', 'Sat'], start: '01:00', durationMinutes: 60 })],
      now: '2024-01-08T01:30:00Z', // Monday
      want: { open: true, closesAt: at('2024-01-08T02:00:00Z') },
    },
    {
      name: 'closes overlapping windows at the latest end',
      windows: [window({ start: '02:00', durationMinutes: 60 }), window({ start: '02:30', durationMinutes: 120 })],
      now: '2024-01-06T02:45:00Z',
      want: { open: true, closesAt: at('2024-01-06T04:30:00Z') },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(maintenanceWindowState(c.windows, at(c.now)), c.want);
    });
  }
});

describe('nextAutomaticUpdate', () => {
  const policy: AutoUpdatePolicy = { enabled: true, maintenanceWindows: [window({})] };
  const rel = (version: string) => ({ version, image: `quay.invalid/release@sha256:${version}` });
  const input = (over: Partial<AutoUpdateInput>): AutoUpdateInput => ({
    policy,
    current: '4.16.2',
    updates: [],
    conditionalUpdates: [],
    now: at('2024-01-06T03:00:00Z'),
    updating: false,
    ...over,
  });

  const cases: { name: string; input: Partial<AutoUpdateInput>; want: ReturnType<typeof nextAutomaticUpdate> }[] = [
    {
      name: 'takes the newest direct update at most one minor ahead',
      input: { updates: [rel('4.16.5'), rel('4.18.0'), rel('4.17.3'), rel('5.0.0')] },
      want: rel('4.17.3'),
    },
    {
      name: 'never skips a minor, even when that is all the graph offers',
      input: { updates: [rel('4.18.0')] },
      want: { wait: 'No recommended update from 4.16.2 (4.18.0 not eligible: only newer versions within one minor of 4.16.2 are taken)', reason: 'NoEligibleUpdate' },
    },
    {
      name: 'never downgrades',
      input: { updates: [rel('4.16.1')] },
      want: { wait: 'No recommended update from 4.16.2 (4.16.1 not eligible: only newer versions within one minor of 4.16.2 are taken)', reason: 'NoEligibleUpdate' },
    },
    {
      name: 'never takes a conditional update, even one listed as recommended',
      input: { updates: [rel('4.16.5'), rel('4.17.3')], conditionalUpdates: [{ release: rel('4.17.3'), risks: [] }] },
      want: rel('4.16.5'),
    },
    {
      name: 'waits while an update is running',
      input: { updates: [rel('4.16.5')], updating: true },
      want: { wait: 'An update is in progress; the next automatic update is chosen after it completes', reason: 'Updating' },
    },
    {
      name: 'waits for the next window outside one, saying when it opens',
      input: { updates: [rel('4.16.5')], now: at('2024-01-05T12:00:00Z') },
      want: { wait: 'Update to 4.16.5 waits for the next maintenance window opening at 2024-01-06T02:00:00.000Z', reason: 'OutsideMaintenanceWindow', nextWindowStart: at('2024-01-06T02:00:00Z') },
    },
    {
      name: 'takes only patch updates while the cluster is not upgradeable',
      input: { updates: [rel('4.16.5'), rel('4.17.3')], upgradeable: { status: 'False', reason: 'AdminAckRequired', message: 'ack the API removals' } },
      want: rel('4.16.5'),
    },
    {
      name: 'says why a minor update is not taken while the cluster is not upgradeable',
      input: { updates: [rel('4.17.3')], upgradeable: { status: 'False', reason: 'AdminAckRequired', message: 'ack the API removals' } },
      want: { wait: 'Update to 4.17.3 changes the minor version and the cluster is not upgradeable (Upgradeable=False, AdminAckRequired): ack the API removals', reason: 'NotUpgradeable' },
    },
    {
      name: 'names the risks of a conditional update it will not take',
      input: { conditionalUpdates: [{ release: rel('4.17.3'), risks: [{ name: 'DualStackNeedsController', message: 'm', url: 'u', matchingRules: [{ type: 'Always' }] }] }] },
      want: {
        wait: '4.17.3 is offered only as a conditional update (risks: DualStackNeedsController); automatic updates never accept declared risks, an administrator can: npm run upgrade -- --to 4.17.3 --allow-not-recommended',
        reason: 'ConditionalUpdateRisks',
      },
    },
    {
      name: 'waits for an administrator when the update it requested was refused',
      input: { updates: [rel('4.16.5')], updating: true, refused: { target: '4.16.5', reason: 'RetrievePayload', message: 'The update cannot be verified' } },
      want: {
        wait: 'The requested update to 4.16.5 was not accepted (RetrievePayload); automatic updates resume once spec.desiredUpdate is changed or cleared: The update cannot be verified',
        reason: 'NotAccepted',
      },
    },
    {
      name: 'does nothing when disabled',
      input: { policy: { ...policy, enabled: false }, updates: [rel('4.16.5')] },
      want: { wait: `Automatic updates are disabled (set the ${AUTO_UPDATE_ANNOTATION} annotation to enable them)`, reason: 'Disabled' },
    },
    {
      name: 'does nothing without a policy',
      input: { policy: undefined, updates: [rel('4.16.5')] },
      want: { wait: `Automatic updates are disabled (set the ${AUTO_UPDATE_ANNOTATION} annotation to enable them)`, reason: 'Disabled' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(nextAutomaticUpdate(input(c.input)), c.want);
    });
  }

  it('walks a channel one step at a time: 4.16.2 → 4.17.3 → 4.18.1', () => {
    const graph: Record<string, string[]> = { '4.16.2': ['4.16.5', '4.17.3'], '4.17.3': ['4.18.1', '4.19.0'], '4.18.1': [] };
    const steps: string[] = [];
    for (let current = '4.16.2'; ; ) {
      const decision = nextAutomaticUpdate(input({ current, updates: graph[current].map(rel) }));
      if ('wait' in decision) break;
      steps.push(decision.version);
      current = decision.version;
    }
    assert.deepEqual(steps, ['4.17.3', '4.18.1']);
  });
});

describe('autoUpdateCondition', () => {
  const enabled = { ok: true as const, policy: { enabled: true, maintenanceWindows: [window({})] } };
  it('says True with the reason while an update waits, False while one runs or starts, and nothing when off', () => {
    const at4 = at('2024-01-06T02:00:00Z');
    assert.deepEqual(autoUpdateCondition(enabled, { wait: 'Update to 4.16.5 waits for the next maintenance window', reason: 'OutsideMaintenanceWindow', nextWindowStart: at4 }), {
      type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'OutsideMaintenanceWindow', message: 'Update to 4.16.5 waits for the next maintenance window',
    });
    assert.deepEqual(autoUpdateCondition(enabled, { wait: 'An update is in progress', reason: 'Updating' }), { type: AUTO_UPDATE_CONDITION, status: 'False', reason: 'Updating', message: 'An update is in progress' });
    assert.deepEqual(autoUpdateCondition(enabled, { version: '4.16.5', image: 'i' }), { type: AUTO_UPDATE_CONDITION, status: 'False', reason: 'UpdateStarted', message: 'Started an automatic update to 4.16.5' });
    assert.equal(autoUpdateCondition({ ok: true, policy: undefined }, undefined), undefined);
    assert.equal(autoUpdateCondition({ ok: true, policy: { enabled: false, maintenanceWindows: [] } }, { wait: 'off', reason: 'Disabled' }), undefined);
  });

  it('says that the annotation does nothing when the operator does not follow it', () => {
    assert.deepEqual(autoUpdateNotFollowedCondition({ [AUTO_UPDATE_ANNOTATION]: '{"enabled":true}' }), {
      type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'OperatorNotEnabled',
      message: `The cluster-version operator runs without --enable-auto-update, so the ${AUTO_UPDATE_ANNOTATION} annotation has no effect`,
    });
    assert.equal(autoUpdateNotFollowedCondition({ other: 'x' }), undefined);
  });

  it('reports an invalid annotation with every error', () => {
    assert.deepEqual(autoUpdateCondition({ ok: false, errors: ['a: bad', 'b: worse'] }, undefined), {
      type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'InvalidPolicy', message: `The ${AUTO_UPDATE_ANNOTATION} annotation is ignored: a: bad; b: worse`,
    });
  });
});
