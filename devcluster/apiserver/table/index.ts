// Table output for `kubectl get` (shared/reference/apiserver.md §7.6): builders, built-in printers, CRD columns.
export type { Printer, TableInput } from './table.ts';
export { DEFAULT_TABLE_COLUMNS, NAME_COLUMN, buildTable, defaultPrinter, partialObjectMetadata, rowCells } from './table.ts';
export { builtinPrinterFor, builtinPrinters } from './printers/index.ts';
export { DEFAULT_CUSTOM_RESOURCE_COLUMNS, crdCell, customResourceColumns, customResourcePrinter } from './crd.ts';
export type { CompiledJsonPath } from './jsonpath.ts';
export { compileJsonPath, evaluateJsonPath } from './jsonpath.ts';
export { formatHumanDuration, translateTimestampSince } from './duration.ts';
