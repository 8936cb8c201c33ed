import { type FormEvent, type ReactNode, useEffect, useRef } from 'react';
import { FormProblems } from '../../components/FormField.tsx';

interface EditorPanelProps {
  title: string;
  problems: string[];
  saving: boolean;
  submitLabel: string;
  onSubmit(): void;
  onClose(): void;
  children: ReactNode;
  /** Next to the submit button, e.g. the "activate" checkbox. */
  extraActions?: ReactNode;
}

/** The frame of every Library editor: a titled form that takes focus when it opens. */
export function EditorPanel(props: EditorPanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <section className="panel editor" aria-labelledby="editor-heading" data-testid="library-editor">
      <h2 id="editor-heading" ref={heading} tabIndex={-1}>
        {props.title}
      </h2>
      <form onSubmit={submit} noValidate>
        <div className="form-grid">{props.children}</div>
        <FormProblems messages={props.problems} />
        <div className="row">
          {props.extraActions}
          <button type="submit" className="primary" disabled={props.saving}>
            {props.saving ? 'Saving…' : props.submitLabel}
          </button>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}
