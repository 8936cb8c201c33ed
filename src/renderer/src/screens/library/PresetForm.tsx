import { type ReactNode, useMemo } from 'react';
import type { z } from 'zod';
import type { FieldIssue } from '../../../../shared/contract.ts';
import { FormField, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';
import {
  draftOf,
  formatHint,
  labelFromName,
  type SchemaField,
  schemaFields,
  valueFromDraft,
} from '../../lib/schema-fields.ts';
import { EditorPanel } from './EditorPanel.tsx';
import { PRESET_FIELD_TEXT, PRESET_KEPT_FIELDS } from './preset-field-text.ts';
import { useDraft } from './use-draft.ts';

/** Rows of the textarea for kinds typed over several lines. */
const ROWS: Partial<Record<SchemaField['kind'], number>> = { pairs: 3, json: 8 };

interface InputProps {
  field: SchemaField;
  issues: readonly FieldIssue[];
  value: string;
  onChange(value: string): void;
}

function SchemaInput({ field, issues, value, onChange }: InputProps) {
  const text = PRESET_FIELD_TEXT[field.path];
  const label = text?.label ?? labelFromName(field.path);
  const hint = text?.hint ?? formatHint(field);
  const common = { label, field: field.path, issues, ...(hint ? { hint } : {}) };
  switch (field.kind) {
    case 'choice':
      return (
        <FormField
          {...common}
          control={(props) => (
            <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
              {field.empty === 'required' ? null : <option value="">none</option>}
              {field.options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          )}
        />
      );
    case 'boolean':
      return (
        <FormField
          {...common}
          control={(props) => (
            <input
              {...props}
              type="checkbox"
              checked={value === 'true'}
              onChange={(e) => onChange(String(e.target.checked))}
            />
          )}
        />
      );
    case 'number':
      return (
        <TextField
          {...common}
          inputMode={field.integer ? 'numeric' : 'decimal'}
          value={value}
          onChange={onChange}
        />
      );
    default:
      return <TextField {...common} rows={ROWS[field.kind]} value={value} onChange={onChange} />;
  }
}

export interface PresetFormProps<S extends z.ZodObject> {
  title: string;
  /** The preset's schema: every field it declares is an input, of the kind its schema says. */
  schema: S;
  loaded: z.infer<S>;
  /** What the node rejected in the last save, by field. */
  issues: readonly FieldIssue[];
  saving: boolean;
  onSave(value: z.infer<S>): void;
  /** Problems found before sending (JSON that does not parse), to show like the node's. */
  onInvalid(issues: FieldIssue[]): void;
  onClose(): void;
  /** Default "Save preset"; a versioned row says "Save as new version". */
  submitLabel?: string;
  /** Next to the submit button, e.g. the "activate" checkbox of a versioned row. */
  extraActions?: ReactNode;
}

/** Every field of one preset (or caption style), read off its schema; saving sends them all. */
export function PresetForm<S extends z.ZodObject>(props: PresetFormProps<S>) {
  const { schema, loaded, issues } = props;
  const fields = useMemo(() => schemaFields(schema, PRESET_KEPT_FIELDS), [schema]);
  const shown = fields.filter((field) => field.kind !== 'kept');
  const { draft, field } = useDraft(() => draftOf(fields, loaded));
  const submit = () => {
    const result = valueFromDraft(fields, draft, loaded);
    if (result.ok) props.onSave(result.value as z.infer<S>);
    else props.onInvalid(result.issues);
  };
  return (
    <EditorPanel
      title={props.title}
      problems={unplacedMessages(
        issues,
        shown.map((shownField) => shownField.path),
      )}
      saving={props.saving}
      submitLabel={props.submitLabel ?? 'Save preset'}
      onSubmit={submit}
      onClose={props.onClose}
      extraActions={props.extraActions}
    >
      {shown.map((f) => {
        const input = field(f.path);
        return (
          <SchemaInput
            key={f.path}
            field={f}
            issues={issues}
            value={input.value ?? ''}
            onChange={input.onChange}
          />
        );
      })}
    </EditorPanel>
  );
}
