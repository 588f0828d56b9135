// Core Event rows, after printers.go printEvent: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide: SUBOBJECT,
// SOURCE, FIRST SEEN, COUNT, NAME. There is no leading Name column (omitNameColumn). The same printer serves
// events.k8s.io/v1, whose field names (regarding, note, deprecated*) are read as fallbacks.
import type { Json, KubeObject } from '../../types.ts';
import { FIELD_DOCS, OBJECT_META_DOCS } from '../descriptions.ts';
import { parseTimestamp, translateTimestampSince } from '../duration.ts';
import type { Printer } from '../table.ts';
import { int, obj, str } from './access.ts';

/** First present value among field names (core v1 name first, then the events.k8s.io/v1 name). */
function field(event: KubeObject, ...names: string[]): unknown {
  return names.map((n) => event[n]).find((v) => v !== undefined && v !== null && v !== '');
}

function eventTimes(event: KubeObject, now: Date): { first: string; last: string; count: number } {
  const firstRaw = field(event, 'firstTimestamp', 'deprecatedFirstTimestamp');
  const first = parseTimestamp(firstRaw) === undefined
    ? translateTimestampSince(event.eventTime, now)
    : translateTimestampSince(firstRaw, now);
  const lastRaw = field(event, 'lastTimestamp', 'deprecatedLastTimestamp');
  let last = parseTimestamp(lastRaw) === undefined ? first : translateTimestampSince(lastRaw, now);
  let count = int(field(event, 'count', 'deprecatedCount'));
  const series = event.series;
  if (series !== undefined && series !== null) {
    last = translateTimestampSince(obj(series).lastObservedTime, now);
    count = int(obj(series).count);
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  return { first, last, count };
}

/** formatEventSource: component (or reportingController), then ", host" (or reportingInstance) when present. */
function eventSource(event: KubeObject): string {
  const source = obj(field(event, 'source', 'deprecatedSource'));
  const component = str(source.component) || str(field(event, 'reportingComponent', 'reportingController'));
  const instance = str(source.host) || str(event.reportingInstance);
  return instance === '' ? component : `${component}, ${instance}`;
}

export const eventPrinter: Printer = {
  omitNameColumn: true,
  columns: [
    { name: 'Last Seen', type: 'string', format: '', description: FIELD_DOCS.eventLastTimestamp, priority: 0 },
    { name: 'Type', type: 'string', format: '', description: FIELD_DOCS.eventType, priority: 0 },
    { name: 'Reason', type: 'string', format: '', description: FIELD_DOCS.eventReason, priority: 0 },
    { name: 'Object', type: 'string', format: '', description: FIELD_DOCS.eventInvolvedObject, priority: 0 },
    { name: 'Subobject', type: 'string', format: '', description: FIELD_DOCS.eventFieldPath, priority: 1 },
    { name: 'Source', type: 'string', format: '', description: FIELD_DOCS.eventSource, priority: 1 },
    { name: 'Message', type: 'string', format: '', description: FIELD_DOCS.eventMessage, priority: 0 },
    { name: 'First Seen', type: 'string', format: '', description: FIELD_DOCS.eventFirstTimestamp, priority: 1 },
    { name: 'Count', type: 'string', format: '', description: FIELD_DOCS.eventCount, priority: 1 },
    { name: 'Name', type: 'string', format: 'name', description: OBJECT_META_DOCS.name, priority: 1 },
  ],
  cells(event, now): Json[] {
    const { first, last, count } = eventTimes(event, now);
    const involved = obj(field(event, 'involvedObject', 'regarding'));
    const kind = str(involved.kind).toLowerCase();
    const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
    return [
      last,
      str(event.type),
      str(event.reason),
      target,
      str(involved.fieldPath),
      eventSource(event),
      str(field(event, 'message', 'note')).trim(),
      first,
      count,
      event.metadata.name ?? '',
    ];
  },
};
