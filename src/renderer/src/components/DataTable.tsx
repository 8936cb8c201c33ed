import type { ReactNode } from 'react';

/** One column, declared as data: its header and how one row fills its cell. */
export interface Column<Row> {
  /** The header's text; also the column's key unless `key` is given. */
  header: string;
  /** For screen readers only, e.g. over a column of buttons. */
  hideHeader?: boolean;
  key?: string;
  /** A CSS width, e.g. "8rem". */
  width?: string;
  /** This column's cell names the row (a row header), as the first column of most tables does. */
  rowHeader?: boolean;
  className?: string;
  testId?: string;
  cell(row: Row): ReactNode;
}

/** A table is named by its heading (labelledBy) or, when it has none, by a label. */
type Name = { label: string; labelledBy?: never } | { labelledBy: string; label?: never };

export type DataTableProps<Row> = Name & {
  columns: readonly Column<Row>[];
  /** null while loading: the loading text shows instead of the table. */
  rows: readonly Row[] | null;
  rowKey(row: Row): string;
  testId?: string;
  rowTestId?: string | ((row: Row) => string);
  /** A row's data-* attributes, named without "data-" (what tests and styles select on). */
  rowData?(row: Row): Record<string, string>;
  loading?: string;
  /** Shown instead of a table with no rows; without it the empty table shows its headers. */
  empty?: ReactNode;
};

function dataAttributes(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([name, value]) => [`data-${name}`, value]));
}

/** The one table of the UI: loading and empty states, named for assistive technology, rows keyed. */
export function DataTable<Row>(props: DataTableProps<Row>) {
  const { columns, rows, rowKey, rowTestId, rowData } = props;
  if (rows === null) return <p className="muted">{props.loading ?? 'Loading…'}</p>;
  if (rows.length === 0 && props.empty !== undefined) return <p className="muted">{props.empty}</p>;
  return (
    <table aria-label={props.label} aria-labelledby={props.labelledBy} data-testid={props.testId}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th
              key={column.key ?? column.header}
              scope="col"
              style={column.width ? { width: column.width } : undefined}
            >
              {column.hideHeader ? <span className="visually-hidden">{column.header}</span> : column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={rowKey(row)}
            data-testid={typeof rowTestId === 'function' ? rowTestId(row) : rowTestId}
            {...dataAttributes(rowData?.(row))}
          >
            {columns.map((column) => {
              const Cell = column.rowHeader ? 'th' : 'td';
              return (
                <Cell
                  key={column.key ?? column.header}
                  scope={column.rowHeader ? 'row' : undefined}
                  className={column.className}
                  data-testid={column.testId}
                >
                  {column.cell(row)}
                </Cell>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
