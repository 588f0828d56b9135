// The table filter: bare words match the name column, `column:value` matches that column (namespace:, phase:,
// region:, zone:, node:, …), case-insensitively, as substrings, all terms ANDed; OpenShift's console filters by
// name the same way, and the prefixes reach the other columns without a separate control per column.

export interface ParsedFilter {
  /** Terms for the name column. */
  readonly name: readonly string[];
  /** Column id → terms, in lower case. */
  readonly columns: ReadonlyMap<string, readonly string[]>;
}

/** `columnIds` are the ids that may be used as prefixes; any other `x:y` is a name term as written. */
export function parseFilter(text: string, columnIds: readonly string[]): ParsedFilter {
  const name: string[] = [];
  const columns = new Map<string, string[]>();
  for (const token of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const colon = token.indexOf(':');
    const column = colon > 0 ? token.slice(0, colon) : '';
    if (colon > 0 && columnIds.includes(column)) {
      const value = token.slice(colon + 1);
      if (value) columns.set(column, [...(columns.get(column) ?? []), value]);
    } else {
      name.push(token);
    }
  }
  return { name, columns };
}

export function isEmptyFilter(filter: ParsedFilter): boolean {
  return filter.name.length === 0 && filter.columns.size === 0;
}

/** `cells` are the row's column texts by column id, `name` among them. */
export function matchesFilter(cells: Readonly<Record<string, string>>, filter: ParsedFilter): boolean {
  const has = (column: string, term: string) => (cells[column] ?? '').toLowerCase().includes(term);
  if (!filter.name.every((term) => has('name', term))) return false;
  for (const [column, terms] of filter.columns) if (!terms.every((term) => has(column, term))) return false;
  return true;
}
