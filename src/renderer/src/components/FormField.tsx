import { type ReactNode, useId } from 'react';
import type { FieldIssue } from '../../../shared/contract.ts';
import { messagesFor } from '../lib/form-values.ts';

/** What a control needs to be tied to its label, hint and errors. */
export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

interface FormFieldProps {
  label: string;
  /** The contract field this input edits: its issues are shown here. */
  field: string;
  issues: readonly FieldIssue[];
  hint?: string;
  control(props: ControlProps): ReactNode;
}

/** A labelled input with its hint and, after a rejected save, the node's messages for that field. */
export function FormField({ label, field, issues, hint, control }: FormFieldProps) {
  const id = useId();
  const messages = messagesFor(issues, field);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      {control({ id, 'aria-invalid': messages.length > 0, 'aria-describedby': describedBy })}
      {hint && (
        <span id={hintId} className="muted field-hint">
          {hint}
        </span>
      )}
      {errorId && (
        <span id={errorId} className="error-text" data-testid={`field-error-${field}`}>
          {messages.join('; ')}
        </span>
      )}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  field: string;
  issues: readonly FieldIssue[];
  value: string;
  onChange(value: string): void;
  hint?: string;
  rows?: number;
  inputMode?: 'numeric' | 'decimal';
}

/** A text input, or a textarea when `rows` is given. */
export function TextField({ label, field, issues, value, onChange, hint, rows, inputMode }: TextFieldProps) {
  return (
    <FormField
      label={label}
      field={field}
      issues={issues}
      {...(hint ? { hint } : {})}
      control={(props) =>
        rows ? (
          <textarea {...props} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input
            {...props}
            type="text"
            inputMode={inputMode}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    />
  );
}

/** Form-wide problems no single input shows. */
export function FormProblems({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="error-text" data-testid="form-problems">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}
