// core/v1 Event and events.k8s.io/v1 Event are two views of the same stored objects (the core form is
// stored). Field correspondence from kubernetes pkg/apis/events/v1 conversion: regarding↔involvedObject,
// note↔message, reportingController↔reportingComponent (and source.component), deprecatedCount↔count,
// deprecatedFirstTimestamp/LastTimestamp↔firstTimestamp/lastTimestamp, deprecatedSource↔source.
import type { KubeObject } from '../types.ts';

type Obj = Record<string, unknown>;

function copyDefined(target: Obj, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') target[key] = value;
}

export function coreEventToEventsV1(core: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: core.metadata };
  copyDefined(out, 'eventTime', core.eventTime);
  copyDefined(out, 'series', core.series);
  copyDefined(out, 'reportingController', core.reportingComponent ?? (core.source as Obj | undefined)?.component);
  copyDefined(out, 'reportingInstance', core.reportingInstance ?? (core.source as Obj | undefined)?.host);
  copyDefined(out, 'action', core.action);
  copyDefined(out, 'reason', core.reason);
  copyDefined(out, 'regarding', core.involvedObject);
  copyDefined(out, 'related', core.related);
  copyDefined(out, 'note', core.message);
  copyDefined(out, 'type', core.type);
  copyDefined(out, 'deprecatedSource', core.source);
  copyDefined(out, 'deprecatedFirstTimestamp', core.firstTimestamp);
  copyDefined(out, 'deprecatedLastTimestamp', core.lastTimestamp);
  copyDefined(out, 'deprecatedCount', core.count);
  return out;
}

export function eventsV1ToCoreEvent(ev: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: ev.metadata };
  copyDefined(out, 'eventTime', ev.eventTime);
  copyDefined(out, 'series', ev.series);
  copyDefined(out, 'reportingComponent', ev.reportingController);
  copyDefined(out, 'reportingInstance', ev.reportingInstance);
  copyDefined(out, 'action', ev.action);
  copyDefined(out, 'reason', ev.reason);
  out.involvedObject = ev.regarding ?? {};
  copyDefined(out, 'related', ev.related);
  copyDefined(out, 'message', ev.note);
  copyDefined(out, 'type', ev.type);
  out.source = ev.deprecatedSource ?? (ev.reportingController ? { component: ev.reportingController } : {});
  copyDefined(out, 'firstTimestamp', ev.deprecatedFirstTimestamp);
  copyDefined(out, 'lastTimestamp', ev.deprecatedLastTimestamp);
  copyDefined(out, 'count', ev.deprecatedCount);
  return out;
}
