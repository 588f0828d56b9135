// The list view every page uses: a filter box, sortable headers and a virtualized body (TanStack Virtual renders only
// the rows in view plus an overscan, so 1,000 Machines cost as much DOM as 40). The grid is one tab stop: arrow keys,
// Page Up/Down, Home and End move the active row, Enter opens it (WAI-ARIA grid pattern with aria-activedescendant).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { isEmptyFilter, matchesFilter, parseFilter } from '../lib/filter.ts';

/** Row height in px; fixed, so the virtualizer needs no measuring. Matches `.resource-table td` in styles.css. */
export const ROW_HEIGHT = 36;
const OVERSCAN_ROWS = 10;

export interface Column<T> {
  readonly id: string;
  readonly header: string;
  /** The text used for filtering and sorting (and shown unless `render` is given). */
  readonly value: (item: T) => string;
  readonly render?: (item: T) => ReactNode;
  /** Sort numerically rather than as text. */
  readonly numeric?: boolean;
}

export interface ResourceTableProps<T> {
  readonly label: string;
  readonly items: readonly T[];
  readonly columns: readonly Column<T>[];
  readonly rowKey: (item: T) => string;
  readonly onOpen?: (item: T) => void;
  /** Columns whose id may prefix a filter term (`phase:running`); the name column is always searched. */
  readonly filterColumns?: readonly string[];
  readonly emptyText?: string;
}

interface Row<T> {
  readonly item: T;
  readonly cells: Record<string, string>;
}

interface Sort {
  readonly column: string;
  readonly descending: boolean;
}

function compareCells(a: string, b: string, numeric: boolean): number {
  if (numeric) return (Number(a) || 0) - (Number(b) || 0);
  return a.localeCompare(b, undefined, { numeric: true });
}

export function ResourceTable<T>(props: ResourceTableProps<T>) {
  const { columns, items, onOpen } = props;
  const [filterText, setFilterText] = useState('');
  // Typing stays instant at 1,000 rows: the filtered list is computed at a lower priority than the input's echo.
  const deferredFilter = useDeferredValue(filterText);
  const [sort, setSort] = useState<Sort>({ column: 'name', descending: false });
  const [active, setActive] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const idPrefix = useId();
  const filterColumns = props.filterColumns ?? [];

  const rows = useMemo(() => {
    const filter = parseFilter(deferredFilter, filterColumns);
    const all: Row<T>[] = items.map((item) => ({ item, cells: Object.fromEntries(columns.map((c) => [c.id, c.value(item)])) }));
    const kept = isEmptyFilter(filter) ? all : all.filter((r) => matchesFilter(r.cells, filter));
    const column = columns.find((c) => c.id === sort.column);
    if (column) {
      const sign = sort.descending ? -1 : 1;
      kept.sort((a, b) => sign * compareCells(a.cells[column.id], b.cells[column.id], column.numeric === true));
    }
    return kept;
  }, [items, columns, deferredFilter, filterColumns.join(','), sort]);

  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN_ROWS,
  });

  // "/" focuses the filter from anywhere on the page, as in GitHub and OpenShift's console.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== '/' || target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      filterRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
  const onGridKey = (e: KeyboardEvent<HTMLElement>) => {
    const moves: Record<string, number> = { ArrowDown: activeIndex + 1, ArrowUp: activeIndex - 1, PageDown: activeIndex + pageRows, PageUp: activeIndex - pageRows, Home: 0, End: rows.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      moveTo(moves[e.key]);
    } else if (e.key === 'Enter' && onOpen && rows[activeIndex]) {
      e.preventDefault();
      onOpen(rows[activeIndex].item);
    }
  };

  const virtualRows = virtualizer.getVirtualItems();
  const padTop = virtualRows.length > 0 ? virtualRows[0].start : 0;
  const padBottom = virtualRows.length > 0 ? virtualizer.getTotalSize() - virtualRows[virtualRows.length - 1].end : 0;
  const rowId = (index: number) => `${idPrefix}-row-${index}`;
  const filterHint = filterColumns.length > 0 ? `Filter by name, or ${filterColumns.map((c) => `${c}:`).join(' ')}` : 'Filter by name';

  return (
    <div className="resource-table-wrap">
      <div className="toolbar">
        <input
          ref={filterRef}
          type="search"
          className="filter"
          placeholder={filterColumns.length > 0 ? 'Filter by name, or column:value (press /)' : 'Filter by name (press /)'}
          title={filterHint}
          aria-label={`Filter ${props.label}`}
          value={filterText}
          onChange={(e) => { setFilterText(e.target.value); setActive(0); }}
          onKeyDown={(e) => { if (e.key === 'Escape') setFilterText(''); }}
        />
        <span className="count" aria-live="polite" data-testid="row-count">{rows.length} of {items.length}</span>
      </div>
      <div className="table-scroll" ref={scrollRef}>
        <table
          className="resource-table"
          role="grid"
          aria-label={props.label}
          aria-rowcount={rows.length + 1}
          tabIndex={0}
          aria-activedescendant={rows.length > 0 ? rowId(activeIndex) : undefined}
          onKeyDown={onGridKey}
        >
          <thead>
            <tr aria-rowindex={1}>
              {columns.map((c) => {
                const sorted = sort.column === c.id;
                return (
                  <th key={c.id} scope="col" aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                    <button type="button" tabIndex={-1} className="sort" onClick={() => setSort({ column: c.id, descending: sorted && !sort.descending })}>
                      {c.header}{sorted ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && <tr className="spacer" aria-hidden="true"><td colSpan={columns.length} style={{ height: padTop }} /></tr>}
            {virtualRows.map((v) => {
              const row = rows[v.index];
              return (
                <tr
                  key={props.rowKey(row.item)}
                  id={rowId(v.index)}
                  aria-rowindex={v.index + 2}
                  aria-selected={v.index === activeIndex}
                  className={v.index === activeIndex ? 'active' : undefined}
                  onClick={() => setActive(v.index)}
                  onDoubleClick={() => onOpen?.(row.item)}
                >
                  {columns.map((c) => <td key={c.id}>{c.render ? c.render(row.item) : row.cells[c.id]}</td>)}
                </tr>
              );
            })}
            {padBottom > 0 && <tr className="spacer" aria-hidden="true"><td colSpan={columns.length} style={{ height: padBottom }} /></tr>}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">{items.length === 0 ? (props.emptyText ?? `No ${props.label}`) : `No ${props.label} match the filter`}</p>}
      </div>
    </div>
  );
}
