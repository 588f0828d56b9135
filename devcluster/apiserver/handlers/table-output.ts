// Table output for `kubectl get` (apiserver.md §7.6): requested through the Accept header, rendered with the
// kind's printer (built-in) or additionalPrinterColumns (custom resources).
import { buildTable, partialObjectMetadata, rowCells } from '../table/index.ts';
import { StatusError } from '../status-errors.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { Json, KubeObject } from '../types.ts';

/** True when the client asked for a meta.k8s.io Table (v1 or v1beta1) before anything else it accepts. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('as=Table')) {
      const version = params.find((p) => p.startsWith('v='))?.slice(2);
      const group = params.find((p) => p.startsWith('g='))?.slice(2);
      if (group === 'meta.k8s.io' && (version === 'v1' || version === 'v1beta1')) return true;
      continue;
    }
    // A plain JSON entry listed first wins over later Table entries.
    if (params[0] === 'application/json' || params[0] === '*/*') return false;
  }
  return false;
}

/** Accept asked only for a Table of an unknown version: 406 like kube-apiserver. */
export function checkTableAcceptable(accept: string | undefined): void {
  if (!accept || !accept.includes('as=Table')) return;
  if (wantsTable(accept)) return;
  const acceptsOther = accept.split(',').some((p) => !p.includes('as=') && /application\/json|\*\/\*/.test(p));
  if (!acceptsOther) throw new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function renderTable(resource: ServedResource, objects: KubeObject[], options: { now: Date; include: IncludeObject; resourceVersion?: string; continueToken?: string; remainingItemCount?: number }): object {
  const printer = resource.printer;
  const rows = objects.map((obj) => ({
    cells: rowCells(printer, obj, options.now),
    object: (options.include === 'Object' ? obj : options.include === 'None' ? null : partialObjectMetadata(obj)) as Json,
  }));
  return buildTable({ columns: printer.columns, omitNameColumn: printer.omitNameColumn, rows, resourceVersion: options.resourceVersion, continueToken: options.continueToken, remainingItemCount: options.remainingItemCount });
}
