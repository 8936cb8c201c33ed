import type { CaptionStyleView } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { NameAndSlug, versionText } from './library-cells.tsx';
import { VersionActivation } from './VersionActivation.tsx';

interface CaptionStyleTableProps {
  styles: CaptionStyleView[] | null;
  onEdit(slug: string): void;
  onActivate(slug: string, version: number): void;
}

/** Caption styles: what each looks like in a line, the version in use, and edit / activate. */
export function CaptionStyleTable({ styles, onEdit, onActivate }: CaptionStyleTableProps) {
  const columns: Column<CaptionStyleView>[] = [
    {
      header: 'Caption style',
      rowHeader: true,
      cell: (style) => <NameAndSlug name={style.name} slug={style.slug} />,
    },
    { header: 'Summary', cell: (style) => style.summary },
    { header: 'Version', cell: (style) => versionText(style.activeVersion, style.latestVersion) },
    {
      header: 'Active version',
      cell: (style) => (
        <VersionActivation
          key={`${style.activeVersion}-${style.latestVersion}`}
          slug={style.slug}
          activeVersion={style.activeVersion}
          latestVersion={style.latestVersion}
          onActivate={(version) => onActivate(style.slug, version)}
        />
      ),
    },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (style) => (
        <button
          type="button"
          aria-label={`Edit caption style ${style.slug}`}
          onClick={() => onEdit(style.slug)}
        >
          Edit
        </button>
      ),
    },
  ];
  return (
    <DataTable
      labelledBy="caption-styles-heading"
      testId="caption-styles"
      columns={columns}
      rows={styles}
      rowKey={(style) => style.slug}
    />
  );
}
