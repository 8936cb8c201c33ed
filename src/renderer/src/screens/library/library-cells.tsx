/** Cells the Library's tables share. */

/** "v2", "v2 (latest v3)" or "none active (latest v3)". */
export function versionText(active: number | null, latest: number): string {
  return active === null
    ? `none active (latest v${latest})`
    : `v${active}${active === latest ? '' : ` (latest v${latest})`}`;
}

export function NameAndSlug({ name, slug }: { name: string; slug: string }) {
  return (
    <>
      {name}
      <div className="muted">
        <code>{slug}</code>
      </div>
    </>
  );
}
