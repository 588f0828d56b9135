// Reading kubectl's column output (`kubectl get`, `api-resources`): kubectl aligns columns with a tabwriter
// (cli-runtime printers/tablegenerator, padding 3), so every cell starts where its header starts, and an empty
// cell is blank. Splitting rows on whitespace would shift the cells after an empty one; slicing does not.

export interface Table {
  /** Column names, as printed ("NOMINATED NODE" keeps its space). */
  header: string[];
  /** One record per row, keyed by column name; empty cells are ''. */
  rows: Record<string, string>[];
}

/** Parses the first table of `text` (`kubectl get all` prints several, separated by blank lines). */
export function parseTable(text: string): Table {
  return parseTables(text)[0] ?? { header: [], rows: [] };
}

export function parseTables(text: string): Table[] {
  const tables: Table[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    // Column names are separated by at least two spaces; a single space stays inside a name.
    const columns = [...lines[0].matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], start: m.index }));
    const rows = lines.slice(1).map((line) => {
      const row: Record<string, string> = {};
      columns.forEach((column, i) => {
        const end = i + 1 < columns.length ? columns[i + 1].start : line.length;
        row[column.name] = line.slice(column.start, end).trim();
      });
      return row;
    });
    tables.push({ header: columns.map((c) => c.name), rows });
  }
  return tables;
}

/** kubectl's short age ("0s", "12s", "3m4s"): compared by shape, the value depends on timing. */
export const AGE = /^\d+(s|m\d*s?|h\d*m?)$/;
