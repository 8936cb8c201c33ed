import { useId, useState } from 'react';
import {
  type CaptionStyleDetail,
  type CaptionStyleFields,
  CaptionStyleFieldsSchema,
  type FieldIssue,
} from '../../../../shared/contract.ts';
import { PresetForm } from './PresetForm.tsx';

interface CaptionStyleEditorProps {
  loaded: CaptionStyleDetail;
  issues: readonly FieldIssue[];
  saving: boolean;
  onSave(fields: CaptionStyleFields, activate: boolean): void;
  onInvalid(issues: FieldIssue[]): void;
  onClose(): void;
}

/** A caption style's fields, read off its schema; saving adds the next version (jobs keep theirs). */
export function CaptionStyleEditor({ loaded, onSave, ...common }: CaptionStyleEditorProps) {
  const activateId = useId();
  const [activate, setActivate] = useState(true);
  const active = loaded.activeVersion === null ? 'none active' : `v${loaded.activeVersion} active`;
  return (
    <PresetForm
      title={`Caption style ${loaded.slug} (showing v${loaded.shownVersion}; ${active})`}
      schema={CaptionStyleFieldsSchema}
      loaded={loaded.fields}
      submitLabel="Save as new version"
      onSave={(fields) => onSave(fields, activate)}
      {...common}
      extraActions={
        <span className="checkbox">
          <input
            id={activateId}
            type="checkbox"
            checked={activate}
            onChange={(e) => setActivate(e.target.checked)}
          />
          <label htmlFor={activateId}>Activate (new jobs use it)</label>
        </span>
      }
    />
  );
}
