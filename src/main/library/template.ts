import { LibraryError, type LibraryIssue } from './errors.ts';

/**
 * Prompt templates know exactly one feature: `{{name}}` (spaces allowed inside the braces) replaced by a
 * variable's value. No conditionals, loops, escapes or filters: a prompt is data an editor can read.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/y;
const OPENING = /\{\{/g;

interface Placeholder {
  name: string;
  start: number;
  end: number;
}

interface Scan {
  placeholders: Placeholder[];
  /** Messages for every "{{" that does not start a well-formed placeholder. */
  problems: string[];
}

/**
 * The problems a template is refused with at the most: enough to fix it, and the scan stops there (a
 * template of 66,666 stray "{{" took 27 s and made a 30 MB reply).
 */
export const MAX_TEMPLATE_PROBLEMS = 20;

function scan(template: string): Scan {
  const placeholders: Placeholder[] = [];
  const problems: string[] = [];
  // Lines counted as the scan goes: counting from the start for each problem was quadratic.
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number) => {
    for (; counted < offset; counted++) if (template.charCodeAt(counted) === 10) line++;
    return line;
  };
  OPENING.lastIndex = 0;
  for (let open = OPENING.exec(template); open; open = OPENING.exec(template)) {
    PLACEHOLDER.lastIndex = open.index;
    const match = PLACEHOLDER.exec(template);
    if (match) {
      placeholders.push({ name: match[1] as string, start: open.index, end: PLACEHOLDER.lastIndex });
      OPENING.lastIndex = PLACEHOLDER.lastIndex;
      continue;
    }
    const shown = template.slice(open.index, open.index + 30).split('\n')[0];
    problems.push(
      `line ${lineAt(open.index)}: "${shown}" is not a placeholder; ` +
        'write {{name}} with letters, digits and _ only',
    );
    if (problems.length === MAX_TEMPLATE_PROBLEMS) break;
  }
  return { placeholders, problems };
}

/** Messages for malformed placeholders; empty when the template is well-formed. */
export function templateProblems(template: string): string[] {
  return scan(template).problems;
}

/** Distinct variable names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set(scan(template).placeholders.map((p) => p.name))];
}

function hasValue(variables: Record<string, string>, name: string): boolean {
  // Own properties only: "constructor" or "toString" must not be satisfied by Object.prototype.
  return Object.hasOwn(variables, name) && typeof variables[name] === 'string';
}

/** Names a template uses that `variables` lacks, in order of first use. */
export function missingVariables(template: string, variables: Record<string, string>): string[] {
  return templateVariables(template).filter((name) => !hasValue(variables, name));
}

export function missingVariablesError(what: string, missing: readonly string[]): LibraryError {
  const issues: LibraryIssue[] = missing.map((name) => ({ field: name, message: 'no value given' }));
  return new LibraryError('missing-variables', `${what} needs variables: ${missing.join(', ')}`, issues);
}

/**
 * Replaces every `{{name}}` with its value, verbatim (a value containing "{{x}}" or "$&" is not
 * expanded again). Strict: a malformed placeholder or any missing variable is an error, and the error
 * lists all of them so a caller fixes them in one go. Unused variables are fine.
 */
export function renderTemplate(
  template: string,
  variables: Record<string, string>,
  /** The longest text it may make, checked before it is made. */
  maxChars = Number.POSITIVE_INFINITY,
): string {
  const { placeholders, problems } = scan(template);
  if (problems.length > 0) {
    const issues = problems.map((message) => ({ field: 'template', message }));
    throw new LibraryError('invalid', `malformed template: ${problems.join('; ')}`, issues);
  }
  const missing = [...new Set(placeholders.map((p) => p.name))].filter((n) => !hasValue(variables, n));
  if (missing.length > 0) throw missingVariablesError('template', missing);
  // A variable used 20,000 times made a 400 MB request to Claude from a 180 KB template.
  let length = template.length;
  for (const p of placeholders) length += (variables[p.name] as string).length - (p.end - p.start);
  if (length > maxChars) {
    const message = `would be ${length} characters long; the most is ${maxChars}`;
    throw new LibraryError('invalid', `the rendered template ${message}`, [{ field: 'template', message }]);
  }
  let output = '';
  let copied = 0;
  for (const placeholder of placeholders) {
    output += template.slice(copied, placeholder.start) + (variables[placeholder.name] as string);
    copied = placeholder.end;
  }
  return output + template.slice(copied);
}
