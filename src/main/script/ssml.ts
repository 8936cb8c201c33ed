import type { Prosody, SceneItem, ScriptDocument, SpeakingStyle, Utterance } from './types.ts';

export interface SsmlVoice {
  /** Engine voice name, e.g. "en-US-JennyNeural". */
  name: string;
  /** BCP-47 language for xml:lang. */
  language: string;
  /** The preset's own style: used when an utterance sets none. */
  style?: string;
  styleDegree?: number;
  role?: string;
  prosody?: Prosody;
}

export interface SsmlInput {
  items: SceneItem[];
  voice: SsmlVoice;
  /** Maps a `[voice slug]` to an engine voice name; identity when absent. */
  resolveVoiceName?: (slug: string) => string;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
/** Characters XML 1.0 forbids even when escaped (controls, lone surrogates, U+FFFE/U+FFFF). */
const XML_FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters XML forbids is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content and attribute values; characters XML cannot carry are dropped. */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] as string);
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

/**
 * Azure-flavoured SSML for a run of items. A new `<voice>` block starts whenever the voice
 * changes. The preset's style, role and prosody apply only to the job's own voice: a voice
 * switched to with [voice ...] may not support them.
 */
export function buildSsml(input: SsmlInput): string {
  const { voice } = input;
  const resolveName = input.resolveVoiceName ?? ((slug: string) => slug);
  const parts: string[] = [];
  let openVoice: string | undefined;
  let afterSpeech = false;
  const switchVoice = (name: string): void => {
    if (openVoice === name) return;
    if (openVoice !== undefined) parts.push('</voice>');
    parts.push(`<voice${attributes({ name })}>`);
    openVoice = name;
    afterSpeech = false;
  };
  for (const item of input.items) {
    if (item.kind === 'pause') {
      switchVoice(openVoice ?? voice.name);
      parts.push(`<break time="${Math.round(item.ms)}ms"/>`);
      afterSpeech = false;
      continue;
    }
    const isJobVoice = item.voice === undefined;
    switchVoice(isJobVoice ? voice.name : resolveName(item.voice as string));
    // A space keeps adjacent sentences from running together when the engine joins the text.
    if (afterSpeech) parts.push(' ');
    parts.push(utteranceSsml(item, isJobVoice ? voice : undefined));
    afterSpeech = true;
  }
  switchVoice(openVoice ?? voice.name);
  parts.push('</voice>');
  const speak = attributes({
    version: '1.0',
    xmlns: 'http://www.w3.org/2001/10/synthesis',
    'xmlns:mstts': 'https://www.w3.org/2001/mstts',
    'xml:lang': voice.language,
  });
  return `<speak${speak}>${parts.join('')}</speak>`;
}

function utteranceSsml(utterance: Utterance, preset: SsmlVoice | undefined): string {
  let body = escapeXml(utterance.text);
  const rate = utterance.prosody.rate ?? preset?.prosody?.rate;
  const pitch = utterance.prosody.pitch ?? preset?.prosody?.pitch;
  if (rate !== undefined || pitch !== undefined)
    body = `<prosody${attributes({ rate, pitch })}>${body}</prosody>`;
  const style: SpeakingStyle | undefined =
    utterance.style ?? (preset?.style ? { name: preset.style, degree: preset.styleDegree } : undefined);
  const role = preset?.role;
  if (style !== undefined || role !== undefined) {
    const express = attributes({ style: style?.name, styledegree: style?.degree, role });
    body = `<mstts:express-as${express}>${body}</mstts:express-as>`;
  }
  return body;
}

/** SSML for a whole document, scene after scene. */
export function buildDocumentSsml(
  doc: ScriptDocument,
  voice: SsmlVoice,
  resolveVoiceName?: (slug: string) => string,
): string {
  const items = doc.scenes.flatMap((scene) => scene.items);
  return buildSsml(resolveVoiceName ? { items, voice, resolveVoiceName } : { items, voice });
}
