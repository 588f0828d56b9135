// Pod rows, after printers.go printPod (kube 1.32): READY "ready/total", STATUS (phase, reason, init and container
// states, Terminating), RESTARTS "n (age ago)", AGE; wide: IP, NODE, NOMINATED NODE, READINESS GATES.
import type { Json, KubeObject } from '../../types.ts';
import { FIELD_DOCS, OBJECT_META_DOCS } from '../descriptions.ts';
import { formatHumanDuration, parseTimestamp, translateTimestampSince } from '../duration.ts';
import type { Printer } from '../table.ts';
import { arr, at, int, isObj, obj, str } from './access.ts';
import type { Obj } from './access.ts';

/** node.NodeUnreachablePodReason. */
const NODE_LOST = 'NodeLost';

/** A sidecar: an init container with restartPolicy Always (podutil.IsRestartableInitContainer). */
const isRestartable = (container: Obj | undefined): boolean => str(container?.restartPolicy) === 'Always';

const hasCondition = (conditions: Obj[], type: string): boolean =>
  conditions.some((c) => str(c.type) === type && str(c.status) === 'True');

/** Last restart time: the latest lastState.terminated.finishedAt among the statuses counted. */
function lastTermination(status: Obj): number | undefined {
  return parseTimestamp(at(status, 'lastState', 'terminated', 'finishedAt'));
}

const later = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

interface PodSummary {
  ready: string;
  reason: string;
  restarts: string;
}

function summarize(pod: KubeObject, now: Date): PodSummary {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const conditions = arr(status.conditions).map(obj);
  const initContainers = arr(spec.initContainers).map(obj);
  const initSpecs = new Map(initContainers.map((c) => [str(c.name), c]));
  const total = arr(spec.containers).length + initContainers.filter(isRestartable).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  if (conditions.some((c) => str(c.type) === 'PodScheduled' && str(c.reason) === 'SchedulingGated')) reason = 'SchedulingGated';

  const initStatuses = arr(status.initContainerStatuses).map(obj);
  let initializing = false;
  for (const [i, container] of initStatuses.entries()) {
    restarts += int(container.restartCount);
    lastRestart = later(lastRestart, lastTermination(container));
    const sidecar = isRestartable(initSpecs.get(str(container.name)));
    if (sidecar) {
      sidecarRestarts += int(container.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(container));
    }
    const terminated = at(container, 'state', 'terminated');
    const waitingReason = str(at(container, 'state', 'waiting', 'reason'));
    if (isObj(terminated) && int(terminated.exitCode) === 0) continue;
    if (sidecar && container.started === true) {
      if (container.ready === true) ready++;
      continue;
    }
    if (isObj(terminated)) {
      const t = terminated;
      if (str(t.reason) === '') reason = int(t.signal) !== 0 ? `Init:Signal:${int(t.signal)}` : `Init:ExitCode:${int(t.exitCode)}`;
      else reason = `Init:${str(t.reason)}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(obj);
    for (const container of [...statuses].reverse()) {
      restarts += int(container.restartCount);
      lastRestart = later(lastRestart, lastTermination(container));
      const waitingReason = str(at(container, 'state', 'waiting', 'reason'));
      const terminated = at(container, 'state', 'terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (isObj(terminated)) {
        const t = terminated;
        if (str(t.reason) !== '') reason = str(t.reason);
        else reason = int(t.signal) !== 0 ? `Signal:${int(t.signal)}` : `ExitCode:${int(t.exitCode)}`;
      } else if (container.ready === true && isObj(at(container, 'state', 'running'))) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && str(status.reason) === NODE_LOST) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartText = restarts !== 0 && lastRestart !== undefined
    ? `${restarts} (${formatHumanDuration(now.getTime() - lastRestart)} ago)`
    : String(restarts);
  return { ready: `${ready}/${total}`, reason, restarts: restartText };
}

function readinessGates(pod: KubeObject): string {
  const gates = arr(at(pod, 'spec', 'readinessGates')).map(obj);
  if (gates.length === 0) return '<none>';
  const conditions = arr(at(pod, 'status', 'conditions')).map(obj);
  const passing = gates.filter((g) => str(conditions.find((c) => str(c.type) === str(g.conditionType))?.status) === 'True').length;
  return `${passing}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
    { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 },
    { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: OBJECT_META_DOCS.creationTimestamp, priority: 0 },
    { name: 'IP', type: 'string', format: '', description: FIELD_DOCS.podIP, priority: 1 },
    { name: 'Node', type: 'string', format: '', description: FIELD_DOCS.podNodeName, priority: 1 },
    { name: 'Nominated Node', type: 'string', format: '', description: FIELD_DOCS.nominatedNodeName, priority: 1 },
    { name: 'Readiness Gates', type: 'string', format: '', description: FIELD_DOCS.readinessGates, priority: 1 },
  ],
  cells(pod, now): Json[] {
    const { ready, reason, restarts } = summarize(pod, now);
    const status = obj(pod.status);
    // The v1 → internal conversion fills podIPs from podIP when only the latter is set.
    const ip = str(obj(arr(status.podIPs)[0]).ip) || str(status.podIP);
    return [
      ready,
      reason,
      restarts,
      translateTimestampSince(pod.metadata.creationTimestamp, now),
      ip || '<none>',
      str(at(pod, 'spec', 'nodeName')) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGates(pod),
    ];
  },
};
