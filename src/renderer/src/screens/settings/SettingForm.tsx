import { type FormEvent, useState } from 'react';
import type { FieldIssue } from '../../../../shared/contract.ts';
import { FormProblems, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';

export interface SettingFormProps {
  testId: string;
  label: string;
  /** The field the node names in its issues. */
  field: string;
  issues: FieldIssue[];
  saving: boolean;
  initial: string;
  hint: string;
  saveLabel: string;
  /** The text as typed; the node checks it and names the field when it refuses. */
  onSave(text: string): void;
}

/** One setting of the node, edited as text and saved with its own button. */
export function SettingForm(props: SettingFormProps) {
  const [text, setText] = useState(props.initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSave(text.trim());
  };
  return (
    <form onSubmit={submit} noValidate className="panel" data-testid={props.testId}>
      <TextField
        label={props.label}
        field={props.field}
        issues={props.issues}
        value={text}
        onChange={setText}
        hint={props.hint}
      />
      <FormProblems messages={unplacedMessages(props.issues, [props.field])} />
      <div className="row">
        <button type="submit" className="primary" disabled={props.saving}>
          {props.saving ? 'Saving…' : props.saveLabel}
        </button>
      </div>
    </form>
  );
}
