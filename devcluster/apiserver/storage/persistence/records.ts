// Payload of a write-ahead log entry: a JSON array of records. One entry holds every record of one
// `append` call, so a multi-object write is all-or-nothing after a crash: its CRC covers the whole batch.

/** One change to the store. `value` is the object's JSON text, stored verbatim. */
export type WalRecord =
  | { readonly rv: number; readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly rv: number; readonly op: 'delete'; readonly key: string };

/** Built by hand rather than JSON.stringify(records): only the known fields are written, in a fixed order. */
export function encodeRecords(records: readonly WalRecord[]): string {
  let json = '[';
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (i > 0) json += ',';
    json += `{"rv":${r.rv},"op":"${r.op}","key":${JSON.stringify(r.key)}`;
    json += r.op === 'put' ? `,"value":${JSON.stringify(r.value)}}` : '}';
  }
  return json + ']';
}

/**
 * Checks one record against the invariants of the log: a put carries a string value, resourceVersions are
 * positive integers that never go down (records of one batch may share one, as an etcd transaction does).
 * Returns what is wrong, or undefined.
 */
export function recordProblem(record: unknown, previousRv: number): string | undefined {
  if (typeof record !== 'object' || record === null) return 'a record is not an object';
  const r = record as Record<string, unknown>;
  if (typeof r.rv !== 'number' || !Number.isSafeInteger(r.rv) || r.rv < 1) {
    return `a record has an invalid resourceVersion ${JSON.stringify(r.rv)}`;
  }
  if (r.rv < previousRv) return `its resourceVersion ${r.rv} is lower than the previous one, ${previousRv}`;
  if (typeof r.key !== 'string' || r.key === '') return `a record has an invalid key ${JSON.stringify(r.key)}`;
  if (r.op === 'put') return typeof r.value === 'string' ? undefined : `the put of ${r.key} has no string value`;
  if (r.op === 'delete') return r.value === undefined ? undefined : `the delete of ${r.key} carries a value`;
  return `a record has an unknown op ${JSON.stringify(r.op)}`;
}

/** Parses and checks a payload; returns its records, or the problem (JSON.parse errors are thrown). */
export function decodeRecords(payload: string, previousRv: number): WalRecord[] | string {
  const parsed: unknown = JSON.parse(payload);
  if (!Array.isArray(parsed) || parsed.length === 0) return 'is not a non-empty array of records';
  let rv = previousRv;
  for (const record of parsed) {
    const problem = recordProblem(record, rv);
    if (problem !== undefined) return `holds an invalid record: ${problem}`;
    rv = (record as WalRecord).rv;
  }
  return parsed as WalRecord[];
}
