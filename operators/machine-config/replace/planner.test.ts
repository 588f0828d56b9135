import assert from 'node:assert/strict';
import { planReplace, replacementsStarted, resolveMaxSurge, type ReplaceInput, type ReplaceMachine, type ReplaceMachineSet, type ReplacePlan } from './planner.ts';

const OLD = 'rhcos-4.1.0';
const NEW = 'rhcos-4.2.0';
const OPEN = { limit: Infinity } as const;

/** An available Machine on the old image in zone a. */
function machine(name: string, over: Partial<ReplaceMachine> = {}): ReplaceMachine {
  return { name, bootImage: OLD, zone: 'a', createdAtMs: 0, deleting: false, marked: false, available: true, ...over };
}

function set(machines: ReplaceMachine[], over: Partial<ReplaceMachineSet> = {}): ReplaceMachineSet {
  return { name: 'ns/workers', replicas: machines.filter((m) => !m.deleting).length, baseReplicas: undefined, writtenReplicas: undefined, machines, ...over };
}

function input(machineSet: ReplaceMachineSet, over: Partial<ReplaceInput> = {}): ReplaceInput {
  return { machineSet, target: NEW, maxSurge: 1, maxUnavailable: 1, gate: OPEN, ...over };
}

const olds = (n: number) => Array.from({ length: n }, (_, i) => machine(`old-${i}`, { createdAtMs: i }));
/** Mid-replacement: base recorded and replicas as written. */
const running = (machines: ReplaceMachine[], base: number, replicas = machines.filter((m) => !m.deleting).length) =>
  set(machines, { baseReplicas: base, writtenReplicas: replicas, replicas });

describe('resolveMaxSurge', () => {
  const cases: Array<[number | string | undefined, number, number | string]> = [
    [undefined, 4, 1],
    [0, 4, 0],
    [2, 4, 2],
    ['25%', 4, 1],
    ['30%', 4, 2],
    ['10%', 3, 1],
    ['x', 4, 'spec.osUpdate.maxSurge: "x" must be an integer or a percentage such as "20%"'],
    [-1, 4, 'spec.osUpdate.maxSurge: -1 must not be negative'],
  ];
  for (const [value, size, want] of cases) {
    it(`resolves ${JSON.stringify(value)} for ${size} Machines to ${JSON.stringify(want)} (percentages round up)`, () => {
      assert.deepEqual(resolveMaxSurge(value, size), typeof want === 'number' ? { ok: true, value: want } : { ok: false, message: want });
    });
  }
});

describe('planReplace', () => {
  it('does nothing for a MachineSet whose Machines all boot the target', () => {
    assert.deepEqual(planReplace(input(set([machine('a', { bootImage: NEW })]))), { old: 0, failed: [] });
  });

  it('begins by recording the MachineSet\'s size as the base', () => {
    assert.deepEqual(planReplace(input(set(olds(4)))).action, { type: 'Begin', base: 4 });
  });

  it('does not begin while the pool\'s gates hold, and says why', () => {
    const wait = { reason: 'Paused', message: 'Pool is paused; 4 node(s) wait' } as const;
    assert.deepEqual(planReplace(input(set(olds(4)), { gate: { limit: 0, wait } })), { wait, old: 4, failed: [] });
  });

  it('surges first: raises replicas by maxSurge, then waits for the MachineSet to catch up', () => {
    assert.deepEqual(planReplace(input(running(olds(4), 4))).action, { type: 'Scale', replicas: 5, why: 'creating 1 Machine(s) on the new boot image' });
    assert.deepEqual(planReplace(input(running(olds(4), 4, 5))).wait, { reason: 'ScalingMachineSet', message: 'MachineSet ns/workers has 4 Machines, spec.replicas is 5' });
  });

  it('then marks the first old Machine within maxUnavailable, and lowers replicas once the mark is seen', () => {
    const machines = [...olds(4), machine('new-0', { bootImage: NEW, available: false })];
    assert.deepEqual(planReplace(input(running(machines, 4))).action, { type: 'Mark', machine: 'old-0' });
    const marked = machines.map((m) => (m.name === 'old-0' ? { ...m, marked: true } : m));
    assert.deepEqual(planReplace(input(running(marked, 4))).action, { type: 'Scale', replicas: 4, why: 'removing Machine old-0' });
  });

  it('waits when removing another old Machine would leave fewer than R − maxUnavailable available', () => {
    const machines = [machine('old-0', { deleting: true, available: false }), ...olds(4).slice(1), machine('new-0', { bootImage: NEW, available: false })];
    const plan = planReplace(input(running(machines, 4)));
    assert.deepEqual(plan.wait, {
      reason: 'MaxUnavailable',
      message: 'MachineSet ns/workers: 3 available, at least 3 must stay (replicas 4, maxUnavailable 1); 5 Machines, at most 5 (maxSurge 1)',
    });
    assert.equal(plan.action, undefined);
  });

  it('with maxSurge 0 deletes first, then creates the replacement once the old one is gone', () => {
    assert.deepEqual(planReplace(input(running(olds(3), 3), { maxSurge: 0 })).action, { type: 'Mark', machine: 'old-0' });
    const gone = [machine('old-0', { deleting: true, available: false }), ...olds(3).slice(1)];
    assert.deepEqual(planReplace(input(running(gone, 3), { maxSurge: 0 })).wait?.reason, 'MaxUnavailable');
    assert.deepEqual(planReplace(input(running(olds(3).slice(1), 3), { maxSurge: 0 })).action, { type: 'Scale', replicas: 3, why: 'creating 1 Machine(s) on the new boot image' });
  });

  it('orders old Machines unavailable first, then by zone (none last), then oldest', () => {
    const machines = [
      machine('b-old', { zone: 'b', createdAtMs: 1 }),
      machine('none', { zone: undefined, createdAtMs: 0 }),
      machine('a-young', { zone: 'a', createdAtMs: 9 }),
      machine('a-old', { zone: 'a', createdAtMs: 2 }),
      machine('broken', { zone: 'c', available: false }),
    ];
    const order: string[] = [];
    let current = machines;
    for (let i = 0; i < machines.length; i++) {
      const plan = planReplace(input(running(current, 5), { maxSurge: 0, maxUnavailable: 5 }));
      assert.equal(plan.action?.type, 'Mark');
      const name = (plan.action as { machine: string }).machine;
      order.push(name);
      // Deleting, it still counts as a Machine (maxSurge 0 leaves no room for a new one), no longer as old.
      current = current.map((m) => (m.name === name ? { ...m, deleting: true, available: false } : m));
    }
    assert.deepEqual(order, ['broken', 'a-old', 'a-young', 'b-old', 'none']);
  });

  it('takes replicas changed by someone else as the new base', () => {
    const machines = [...olds(4), machine('new-0', { bootImage: NEW })];
    assert.deepEqual(planReplace(input(set(machines, { baseReplicas: 4, writtenReplicas: 5, replicas: 6 }))).action, { type: 'Rebase', base: 6 });
    assert.deepEqual(planReplace(input(set(machines, { baseReplicas: 4, writtenReplicas: undefined, replicas: 5 }))).action, { type: 'Rebase', base: 5 }, 'a lost written annotation too');
  });

  it('finishes once every Machine boots the target and is available, and waits for the last ones to come up', () => {
    const fresh = (over: Partial<ReplaceMachine> = {}) => [0, 1, 2].map((i) => machine(`new-${i}`, { bootImage: NEW, ...over }));
    assert.deepEqual(planReplace(input(running(fresh(), 3))).action, { type: 'Finish' });
    assert.deepEqual(planReplace(input(running([...fresh().slice(0, 2), machine('new-2', { bootImage: NEW, available: false })], 3))).wait, {
      reason: 'NewMachinesNotReady', message: 'MachineSet ns/workers: 1 new Machine(s) without a Ready, schedulable Node yet',
    });
  });

  it('stops at a new Machine that failed, naming it', () => {
    const machines = [...olds(3), machine('new-0', { bootImage: NEW, available: false, failed: 'spec.providerSpec.value.image: not found' })];
    const plan = planReplace(input(running(machines, 3)));
    assert.equal(plan.action, undefined);
    assert.deepEqual(plan.failed, [{ machine: 'new-0', message: 'spec.providerSpec.value.image: not found' }]);
    assert.deepEqual(plan.wait, { reason: 'MachineFailed', message: 'MachineSet ns/workers: Machine new-0 failed: spec.providerSpec.value.image: not found; delete it to try again' });
  });

  it('names an unusable maxSurge', () => {
    assert.deepEqual(planReplace(input(running(olds(2), 2), { maxSurge: 'lots' })).wait?.reason, 'InvalidMaxSurge');
  });

  it('lets a canary slot start one replacement and finish it, but no second one', () => {
    const gate = { limit: 1 };
    assert.deepEqual(planReplace(input(running(olds(3), 3), { gate })).action?.type, 'Scale');
    // The surge Machine is the one replacement begun: its old partner may still go; a second surge may not.
    const surged = [...olds(3), machine('new-0', { bootImage: NEW })];
    const closed = { limit: 0, wait: { reason: 'CanarySoaking', message: 'soaking' } } as const;
    assert.deepEqual(planReplace(input(running(surged, 3), { gate: closed })).action, { type: 'Mark', machine: 'old-0' });
    const paired = [machine('old-0', { deleting: true, available: false }), ...olds(3).slice(1), machine('new-0', { bootImage: NEW })];
    assert.deepEqual(planReplace(input(running(paired, 3, 3), { gate: closed })).wait, closed.wait);
  });

  describe('simulated against a MachineSet controller and Machines that come and go in random order', () => {
    interface Sim { ms: ReplaceMachineSet; seq: number }
    const rng = (seed: number) => () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

    function apply(sim: Sim, plan: ReplacePlan): void {
      const a = plan.action;
      if (!a) return;
      const ms = sim.ms;
      if (a.type === 'Begin' || a.type === 'Rebase') sim.ms = { ...ms, baseReplicas: a.base, writtenReplicas: ms.replicas };
      else if (a.type === 'Scale') sim.ms = { ...ms, replicas: a.replicas, writtenReplicas: a.replicas };
      else if (a.type === 'Mark') sim.ms = { ...ms, machines: ms.machines.map((m) => (m.name === a.machine ? { ...m, marked: true } : m)) };
      else sim.ms = { ...ms, baseReplicas: undefined, writtenReplicas: undefined };
    }

    /** The MachineSet controller: creates from the (new) template, deletes marked Machines first. */
    function reconcileSet(sim: Sim): void {
      const active = sim.ms.machines.filter((m) => !m.deleting);
      const diff = sim.ms.replicas - active.length;
      let machines = [...sim.ms.machines];
      for (let i = 0; i < diff; i++) machines.push(machine(`new-${sim.seq++}`, { bootImage: NEW, available: false, createdAtMs: 100 + sim.seq }));
      if (diff < 0) {
        const victims = [...active].sort((a, b) => Number(b.marked) - Number(a.marked)).slice(0, -diff).map((m) => m.name);
        machines = machines.map((m) => (victims.includes(m.name) ? { ...m, deleting: true, available: false } : m));
      }
      sim.ms = { ...sim.ms, machines };
    }

    const cases = [
      { replicas: 4, maxSurge: 1, maxUnavailable: 1 },
      { replicas: 4, maxSurge: 0, maxUnavailable: 1 },
      { replicas: 6, maxSurge: 2, maxUnavailable: 2 },
      { replicas: 5, maxSurge: '40%', maxUnavailable: '20%' },
      { replicas: 1, maxSurge: 1, maxUnavailable: 1 },
    ];
    for (const c of cases) {
      it(`replaces ${c.replicas} Machines with maxSurge ${c.maxSurge} and maxUnavailable ${c.maxUnavailable} within both bounds, in any interleaving`, () => {
        for (let seed = 1; seed <= 40; seed++) {
          const random = rng(seed);
          const sim: Sim = { ms: set(olds(c.replicas)), seq: 0 };
          const surge = (resolveMaxSurge(c.maxSurge, c.replicas) as { value: number }).value;
          const floor = c.replicas - Math.max(1, Math.floor(typeof c.maxUnavailable === 'number' ? c.maxUnavailable : (parseInt(c.maxUnavailable) * c.replicas) / 100));
          let steps = 0;
          for (; steps < 2_000; steps++) {
            const roll = random();
            if (roll < 0.4) apply(sim, planReplace(input(sim.ms, { maxSurge: c.maxSurge, maxUnavailable: c.maxUnavailable })));
            else if (roll < 0.7) reconcileSet(sim);
            else {
              // The world: a new Machine's Node comes up, or a deleted Machine's drain and termination end.
              const booting = sim.ms.machines.find((m) => !m.available && !m.deleting);
              const going = sim.ms.machines.find((m) => m.deleting);
              const pick = random() < 0.5 ? booting ?? going : going ?? booting;
              if (pick?.deleting) sim.ms = { ...sim.ms, machines: sim.ms.machines.filter((m) => m !== pick) };
              else if (pick) sim.ms = { ...sim.ms, machines: sim.ms.machines.map((m) => (m === pick ? { ...m, available: true } : m)) };
            }
            const m = sim.ms.machines;
            assert.ok(m.length <= c.replicas + surge, `seed ${seed} step ${steps}: ${m.length} Machines > ${c.replicas} + ${surge}`);
            assert.ok(m.filter((x) => x.available).length >= floor, `seed ${seed} step ${steps}: fewer than ${floor} available`);
            const done = sim.ms.baseReplicas === undefined && m.length === c.replicas && m.every((x) => x.bootImage === NEW && x.available);
            if (done) break;
          }
          assert.ok(steps < 2_000, `seed ${seed}: the replacement finished`);
          assert.equal(sim.ms.replicas, c.replicas);
          assert.equal(sim.ms.writtenReplicas, undefined);
        }
      });
    }

    it('continues after the user scales the MachineSet mid-rollout, to the new size', () => {
      const random = rng(7);
      const sim: Sim = { ms: set(olds(4)), seq: 0 };
      let scaled = false;
      for (let steps = 0; steps < 2_000; steps++) {
        const roll = random();
        if (!scaled && sim.ms.machines.some((m) => m.bootImage === NEW && m.available)) {
          sim.ms = { ...sim.ms, replicas: 6 };
          scaled = true;
        } else if (roll < 0.4) apply(sim, planReplace(input(sim.ms)));
        else if (roll < 0.7) reconcileSet(sim);
        else {
          const pick = sim.ms.machines.find((m) => m.deleting) ?? sim.ms.machines.find((m) => !m.available);
          if (pick?.deleting) sim.ms = { ...sim.ms, machines: sim.ms.machines.filter((m) => m !== pick) };
          else if (pick) sim.ms = { ...sim.ms, machines: sim.ms.machines.map((m) => (m === pick ? { ...m, available: true } : m)) };
        }
        if (scaled && sim.ms.baseReplicas !== undefined) assert.ok(sim.ms.machines.length <= 7, 'at most the new base + maxSurge');
        if (sim.ms.baseReplicas === undefined && scaled && sim.ms.machines.length === 6 && sim.ms.machines.every((m) => m.bootImage === NEW && m.available)) break;
      }
      assert.equal(sim.ms.replicas, 6);
      assert.ok(sim.ms.machines.every((m) => m.bootImage === NEW));
      assert.equal(sim.ms.baseReplicas, undefined);
    });

    it('gives a restarted operator the same next step from the annotations alone', () => {
      // Mid-rollout as the API holds it: base 4, one surge Machine up, old-0 marked.
      const machines = [...olds(4).map((m) => (m.name === 'old-0' ? { ...m, marked: true } : m)), machine('new-0', { bootImage: NEW })];
      const ms = running(machines, 4, 5);
      assert.deepEqual(planReplace(input(ms)), planReplace(input(structuredClone(ms))));
      assert.deepEqual(planReplace(input(ms)).action, { type: 'Scale', replicas: 4, why: 'removing Machine old-0' });
    });
  });

  it('counts replacements begun for the canary: surge Machines or old ones sent away, whichever is more', () => {
    assert.equal(replacementsStarted(set(olds(4)), NEW), 0);
    assert.equal(replacementsStarted(running(olds(4), 4, 5), NEW), 1, 'a surge Machine asked for');
    assert.equal(replacementsStarted(running(olds(4).map((m, i) => ({ ...m, marked: i === 0 })), 4), NEW), 1, 'an old Machine sent away');
    assert.equal(replacementsStarted(running([...olds(2), machine('n', { bootImage: NEW })], 4, 3), NEW), 2);
  });
});
