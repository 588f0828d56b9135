// meta.k8s.io/v1 Table bodies for `kubectl get` (shared/reference/apiserver.md §7.6).
import type { Json, JsonObject, KubeObject, PrinterColumn } from '../types.ts';
import { OBJECT_META_DOCS } from './descriptions.ts';

/**
 * How a kind renders as Table rows. `columns` are the columns after the implicit Name column, `cells` returns one
 * cell per column. The server always sends the wide (priority > 0) cells; kubectl hides them without `-o wide`.
 */
export interface Printer {
  readonly columns: PrinterColumn[];
  cells(obj: KubeObject, now: Date): Json[];
  /**
   * Core Events have no leading Name column: upstream lists Name last, as a wide column (printers.go
   * eventColumnDefinitions). Such printers include Name in `columns`/`cells` and set this flag.
   */
  readonly omitNameColumn?: boolean;
}

/** The implicit first column (printers.go, tableconvertor.go, rest/table.go). */
export const NAME_COLUMN: PrinterColumn = { name: 'Name', type: 'string', format: 'name', description: OBJECT_META_DOCS.name, priority: 0 };

/**
 * Columns of kinds without a printer (apiserver/pkg/registry/rest/table.go defaultTableConvertor): Name, then
 * "Created At" of type date whose cell is the RFC 3339 UTC timestamp itself, not an age.
 */
export const DEFAULT_TABLE_COLUMNS: PrinterColumn[] = [
  { name: 'Created At', type: 'date', format: '', description: OBJECT_META_DOCS.creationTimestamp, priority: 0 },
];

/** `m.GetCreationTimestamp().Time.UTC().Format(time.RFC3339)`; the zero time when unset. */
function createdAt(obj: KubeObject): string {
  const ms = Date.parse(obj.metadata.creationTimestamp ?? '');
  return Number.isNaN(ms) ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The printer for built-in kinds without one upstream (Role, ClusterRole, CustomResourceDefinition, ...). */
export const defaultPrinter: Printer = {
  columns: DEFAULT_TABLE_COLUMNS,
  cells: (obj) => [createdAt(obj)],
};

/** A full row: the Name cell (unless the printer places Name itself) followed by the printer's cells. */
export function rowCells(printer: Printer, obj: KubeObject, now: Date): Json[] {
  const cells = printer.cells(obj, now);
  return printer.omitNameColumn ? cells : [obj.metadata.name ?? '', ...cells];
}

/** metav1.TableColumnDefinition: every field is always present on the wire. */
function columnDefinition(column: PrinterColumn): JsonObject {
  return {
    name: column.name,
    type: column.type,
    format: column.format ?? '',
    description: column.description ?? '',
    priority: column.priority ?? 0,
  };
}

export interface TableInput {
  /** Columns after Name (Name is prepended unless `omitNameColumn`). */
  columns: PrinterColumn[];
  /** Complete rows: `cells` includes the Name cell (see rowCells); `object` per includeObject (null for None). */
  rows: Array<{ cells: Json[]; object: Json }>;
  resourceVersion?: string;
  continueToken?: string;
  remainingItemCount?: number;
  /** The printer lists Name itself (core Events). */
  omitNameColumn?: boolean;
  /** `?noHeaders=true` (metav1.TableOptions): columnDefinitions is null. */
  noHeaders?: boolean;
  /** "meta.k8s.io/v1" (default) or "meta.k8s.io/v1beta1", whichever the Accept header chose. */
  apiVersion?: string;
}

/** A meta.k8s.io Table. */
export function buildTable(input: TableInput): JsonObject {
  const metadata: JsonObject = {};
  if (input.resourceVersion) metadata.resourceVersion = input.resourceVersion;
  if (input.continueToken) metadata.continue = input.continueToken;
  if (input.remainingItemCount !== undefined) metadata.remainingItemCount = input.remainingItemCount;
  const columns = input.omitNameColumn ? input.columns : [NAME_COLUMN, ...input.columns];
  return {
    kind: 'Table',
    apiVersion: input.apiVersion ?? 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: input.noHeaders ? null : columns.map(columnDefinition),
    rows: input.rows.map((row) => ({ cells: row.cells, object: row.object })),
  };
}

/** The row object for `includeObject=Metadata` (the default). */
export function partialObjectMetadata(obj: KubeObject, apiVersion = 'meta.k8s.io/v1'): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata as JsonObject };
}
