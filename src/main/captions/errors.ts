export type CaptionErrorKind = 'invalid-style';

/** A caption style that would produce a broken subtitle file (e.g. a comma in an ASS font name). */
export class CaptionError extends Error {
  readonly kind: CaptionErrorKind;
  constructor(kind: CaptionErrorKind, message: string) {
    super(message);
    this.name = 'CaptionError';
    this.kind = kind;
  }
}
