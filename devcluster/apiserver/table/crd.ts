// Table cells for custom resources from additionalPrinterColumns
// (apiextensions-apiserver registry/customresource/tableconvertor/tableconvertor.go, pkg/apiserver helpers.go).
import type { Json, PrinterColumn } from '../types.ts';
import { OBJECT_META_DOCS } from './descriptions.ts';
import { formatHumanDuration } from './duration.ts';
import { goPrintResult } from './go-format.ts';
import { evaluateJsonPath } from './jsonpath.ts';
import type { Printer } from './table.ts';

/** What a CRD version without additionalPrinterColumns shows after Name (serveDefaultColumnsIfEmpty). */
export const DEFAULT_CUSTOM_RESOURCE_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', format: '', description: OBJECT_META_DOCS.creationTimestamp, priority: 0, jsonPath: '.metadata.creationTimestamp' },
];

/**
 * The column definitions kube-apiserver serves for a CRD version: the default Age column when none are declared,
 * and "Custom resource definition column (in JSONPath format): <path>" for columns without a description.
 */
export function customResourceColumns(columns: readonly PrinterColumn[] | undefined): PrinterColumn[] {
  if (!columns || columns.length === 0) return DEFAULT_CUSTOM_RESOURCE_COLUMNS;
  return columns.map((c) => ({
    ...c,
    format: c.format ?? '',
    priority: c.priority ?? 0,
    description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath ?? ''}`,
  }));
}

/** metav1.Time.UnmarshalQueryParameter: "" and "null" are the zero time; otherwise strict RFC 3339. */
function parseRfc3339(text: string): number | 'zero' | undefined {
  if (text === '' || text === 'null') return 'zero';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * One CRD printer cell from the JSONPath matches of its column: only the first match counts; no match → null.
 * - string columns print the value as client-go's JSONPath does: scalars with Go's %v, maps and lists as compact
 *   JSON (so a number in a string column still shows);
 * - integer (truncating floats), number and boolean columns → the value, or null when the type does not fit;
 * - date columns → the age since the RFC 3339 timestamp ("5m"), "<unknown>" for "", "<invalid>" when unparsable,
 *   null for a non-string.
 */
export function crdCell(value: unknown[], column: PrinterColumn, now: Date): Json {
  if (value.length === 0) return null;
  const first = value[0];
  if (column.type === 'string') return goPrintResult(first) ?? null;
  if (first === null || first === undefined) return null;
  switch (column.type) {
    case 'integer':
      return typeof first === 'number' ? Math.trunc(first) : null;
    case 'number':
      return typeof first === 'number' ? first : null;
    case 'boolean':
      return typeof first === 'boolean' ? first : null;
    case 'date': {
      if (typeof first !== 'string') return null;
      const parsed = parseRfc3339(first);
      if (parsed === undefined) return '<invalid>';
      return parsed === 'zero' ? '<unknown>' : formatHumanDuration(now.getTime() - parsed);
    }
  }
}

/** A Printer for a CRD version's (possibly empty) additionalPrinterColumns. */
export function customResourcePrinter(columns: readonly PrinterColumn[] | undefined): Printer {
  const served = customResourceColumns(columns);
  return {
    columns: served,
    cells: (obj, now) => served.map((c) => crdCell(evaluateJsonPath(obj, c.jsonPath ?? ''), c, now)),
  };
}
