import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type Column, DataTable, type DataTableProps } from './DataTable.tsx';

interface Fruit {
  id: string;
  name: string;
  kilos: number;
}

const COLUMNS: Column<Fruit>[] = [
  { header: 'Fruit', rowHeader: true, cell: (fruit) => fruit.name },
  { header: 'Weight', width: '6rem', className: 'numeric', testId: 'weight', cell: (f) => `${f.kilos} kg` },
  {
    header: 'Actions',
    key: 'actions',
    hideHeader: true,
    cell: (f) => createElement('button', { type: 'button' }, f.id),
  },
];

const FRUITS: Fruit[] = [
  { id: 'a1', name: 'Apple', kilos: 3 },
  { id: 'p2', name: 'Pear', kilos: 5 },
];

const render = (props: Partial<DataTableProps<Fruit>> & Pick<DataTableProps<Fruit>, 'rows'>): string =>
  renderToStaticMarkup(
    createElement(DataTable<Fruit>, {
      label: 'Fruits',
      columns: COLUMNS,
      rowKey: (fruit) => fruit.id,
      ...props,
    } as DataTableProps<Fruit>),
  );

describe('DataTable', () => {
  it('renders a header per column and a row per item, the row header as <th scope="row">', () => {
    const html = render({ rows: FRUITS, testId: 'fruits' });
    expect(html).toContain('<table aria-label="Fruits" data-testid="fruits">');
    expect(html).toContain(
      '<thead><tr><th scope="col">Fruit</th><th scope="col" style="width:6rem">Weight</th>' +
        '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>',
    );
    expect(html).toContain(
      '<tr><th scope="row">Apple</th><td class="numeric" data-testid="weight">3 kg</td><td><button type="button">a1</button></td></tr>',
    );
    expect(html).toContain('<th scope="row">Pear</th>');
    expect(html.match(/<tr>/g)).toHaveLength(3);
  });

  it('gives rows their test id and data-* attributes', () => {
    const html = render({
      rows: FRUITS,
      rowTestId: (fruit) => `fruit-${fruit.id}`,
      rowData: (fruit) => ({ 'fruit-name': fruit.name, heavy: String(fruit.kilos > 4) }),
    });
    expect(html).toContain('<tr data-testid="fruit-a1" data-fruit-name="Apple" data-heavy="false">');
    expect(html).toContain('<tr data-testid="fruit-p2" data-fruit-name="Pear" data-heavy="true">');
    expect(render({ rows: FRUITS, rowTestId: 'fruit' }).match(/<tr data-testid="fruit">/g)).toHaveLength(2);
  });

  it('is named by a heading when one is given', () => {
    const html = renderToStaticMarkup(
      createElement(DataTable<Fruit>, {
        labelledBy: 'fruits-heading',
        columns: COLUMNS,
        rows: FRUITS,
        rowKey: (fruit) => fruit.id,
      }),
    );
    expect(html).toContain('<table aria-labelledby="fruits-heading">');
  });

  it('shows the loading text while rows are null, and no table', () => {
    expect(render({ rows: null })).toBe('<p class="muted">Loading…</p>');
    expect(render({ rows: null, loading: 'Loading fruit…' })).toBe('<p class="muted">Loading fruit…</p>');
  });

  it('shows the empty text for no rows, or the bare table when there is none', () => {
    expect(render({ rows: [], empty: 'No fruit yet.' })).toBe('<p class="muted">No fruit yet.</p>');
    const bare = render({ rows: [] });
    expect(bare).toContain('<thead>');
    expect(bare).toContain('<tbody></tbody>');
  });
});
