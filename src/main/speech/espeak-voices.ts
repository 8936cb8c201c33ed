/**
 * espeak-ng accepts almost any -v value: an unknown "en-uss" or "no-such-voice" is silently spoken
 * with some other language's rules. Names are therefore checked against the installed voice table so
 * a typo in a preset is reported instead of narrated in the wrong language.
 */
import type { VoiceInfo } from './types.ts';

export interface EspeakVoiceRow {
  language: string;
  voiceName: string;
  file: string;
  otherLanguages: string[];
}

/** Rows of `espeak-ng --voices` (or `--voices=variant`): Pty, Language, Age/Gender, VoiceName, File, Other. */
export function parseEspeakVoiceTable(listing: string): EspeakVoiceRow[] {
  const rows: EspeakVoiceRow[] = [];
  for (const line of listing.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 5 || !/^\d+$/.test(columns[0] as string)) continue;
    const other = columns.slice(5).join(' ');
    rows.push({
      language: columns[1] as string,
      voiceName: columns[3] as string,
      file: columns[4] as string,
      otherLanguages: [...other.matchAll(/\(([^\s)]+)\s+\d+\)/g)].map((match) => match[1] as string),
    });
  }
  return rows;
}

/** The Language column is what -v is normally given. */
export function voicesFromTable(rows: EspeakVoiceRow[]): VoiceInfo[] {
  return rows.map((row) => ({ name: row.language, language: row.language.replace(/_/g, '-') }));
}

export interface EspeakVoiceChecker {
  /** True when espeak-ng would really use the named voice (and variant, after "+"). */
  accepts(voice: string): boolean;
}

export function espeakVoiceChecker(
  voiceRows: EspeakVoiceRow[],
  variantRows: EspeakVoiceRow[],
): EspeakVoiceChecker {
  const bases = new Set<string>();
  for (const row of voiceRows) {
    for (const name of [row.language, row.voiceName, row.file, ...row.otherLanguages])
      bases.add(name.toLowerCase());
  }
  const variants = new Set<string>();
  for (const row of variantRows) {
    variants.add(row.voiceName.toLowerCase());
    variants.add((row.file.split('/').pop() ?? row.file).toLowerCase());
  }
  return {
    accepts(voice) {
      const [base = '', variant, ...extra] = voice.toLowerCase().split('+');
      if (extra.length > 0 || !bases.has(base)) return false;
      return variant === undefined || variants.has(variant);
    },
  };
}
