import { describe, expect, it } from 'vitest';
import { parseScriptText } from './parser.ts';
import { buildDocumentSsml, buildSsml, escapeXml, type SsmlVoice } from './ssml.ts';
import type { SceneItem, Utterance } from './types.ts';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

/**
 * A small strict XML 1.0 parser for the subset SSML uses (elements, attributes, text, the five
 * named entities and numeric references). It throws on anything malformed, including undeclared
 * namespace prefixes, so "it parses" means "an XML engine will accept it".
 */
function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(source.slice(i, i + 30))}`);
  };
  const name = (): string => {
    const match = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?/.exec(source.slice(i));
    if (!match) fail('expected a name');
    i += (match as RegExpExecArray)[0].length;
    return (match as RegExpExecArray)[0];
  };
  const space = (): boolean => {
    const start = i;
    while (/[ \t\r\n]/.test(source[i] ?? '')) i++;
    return i > start;
  };
  const text = (stop: RegExp): string => {
    let out = '';
    while (i < source.length && !stop.test(source[i] as string)) {
      const ch = source[i] as string;
      const code = ch.charCodeAt(0);
      if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) fail('forbidden character');
      if (ch === '<') fail('unescaped <');
      if (ch === '&') {
        const ref = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/.exec(source.slice(i));
        if (!ref) fail('bad entity reference');
        const body = (ref as RegExpExecArray)[1] as string;
        const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
        out +=
          named[body] ??
          String.fromCodePoint(Number(body.startsWith('#x') ? `0x${body.slice(2)}` : body.slice(1)));
        i += (ref as RegExpExecArray)[0].length;
      } else {
        out += ch;
        i++;
      }
    }
    return out;
  };
  const element = (namespaces: Set<string>): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const tag = name();
    const attrs: Record<string, string> = {};
    while (space() && /[A-Za-z_]/.test(source[i] ?? '')) {
      const attr = name();
      if (attr in attrs) fail(`duplicate attribute ${attr}`);
      space();
      if (source[i] !== '=') fail('expected =');
      i++;
      space();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted value');
      i++;
      attrs[attr] = text(quote === '"' ? /"/ : /'/);
      if (source[i] !== quote) fail('unterminated attribute');
      i++;
    }
    const scope = new Set(namespaces);
    for (const attr of Object.keys(attrs)) if (attr.startsWith('xmlns:')) scope.add(attr.slice(6));
    for (const qualified of [tag, ...Object.keys(attrs)]) {
      const prefix = qualified.includes(':') ? qualified.split(':')[0] : undefined;
      if (prefix && prefix !== 'xml' && prefix !== 'xmlns' && !scope.has(prefix))
        fail(`undeclared prefix ${prefix}`);
    }
    const node: XmlElement = { name: tag, attrs, children: [] };
    if (source.startsWith('/>', i)) {
      i += 2;
      return node;
    }
    if (source[i] !== '>') fail('expected >');
    i++;
    for (;;) {
      const chunk = text(/</);
      if (chunk) node.children.push(chunk);
      if (i >= source.length) fail(`unclosed <${tag}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        if (name() !== tag) fail(`mismatched </...> for <${tag}>`);
        space();
        if (source[i] !== '>') fail('expected >');
        i++;
        return node;
      }
      node.children.push(element(scope));
    }
  };
  const root = element(new Set());
  if (source.slice(i).trim() !== '') fail('content after the root element');
  return root;
}

const elements = (node: XmlElement, name: string): XmlElement[] =>
  node.children.flatMap((c) =>
    typeof c === 'string' ? [] : [...(c.name === name ? [c] : []), ...elements(c, name)],
  );
const textOf = (node: XmlElement): string =>
  node.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');

const JOB_VOICE: SsmlVoice = { name: 'en-US-JennyNeural', language: 'en-US' };
const say = (text: string, extra: Partial<Utterance> = {}): Utterance => ({
  kind: 'speech',
  text,
  prosody: {},
  line: 1,
  col: 1,
  ...extra,
});

describe('xml checker (sanity)', () => {
  it.each([
    '<a>x & y</a>',
    '<a>x < y</a>',
    '<a b="1" b="2"/>',
    '<a><b></a></b>',
    '<a b="x"y"/>',
    '<m:a/>',
    '<a/><b/>',
    '<a>\u0001</a>',
  ])('rejects %s', (xml) => {
    expect(() => parseXml(xml)).toThrow();
  });

  it('accepts and decodes well-formed input', () => {
    const root = parseXml('<a xmlns:m="u" q=\'&quot;\'><m:b>1 &lt; 2 &#38; &#x41;</m:b><c/></a>');
    expect(root.attrs.q).toBe('"');
    expect(textOf(root)).toBe('1 < 2 & A');
  });
});

describe('escapeXml', () => {
  it('escapes the five special characters and drops characters XML cannot carry', () => {
    expect(escapeXml(`<b>Tom & "Jerry"</b> it's`)).toBe(
      '&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; it&apos;s',
    );
    expect(escapeXml('a\u0001b\u000Bc\uFFFEd\uD800e 🎬')).toBe('abcde 🎬');
  });
});

describe('buildSsml', () => {
  it('speaks markup-looking text literally', () => {
    const text = '<b>Tom & "Jerry"</b> <break time="9s"/> &amp;';
    const ssml = buildSsml({ items: [say(text)], voice: JOB_VOICE });
    const root = parseXml(ssml);
    expect(root.name).toBe('speak');
    expect(root.attrs).toEqual({
      version: '1.0',
      xmlns: 'http://www.w3.org/2001/10/synthesis',
      'xmlns:mstts': 'https://www.w3.org/2001/mstts',
      'xml:lang': 'en-US',
    });
    expect(elements(root, 'b')).toEqual([]);
    expect(elements(root, 'break')).toEqual([]);
    expect(textOf(root)).toBe(text);
  });

  it('escapes attribute values too', () => {
    const voice = { name: 'x" onload="<evil>', language: 'en&US', style: "it's" };
    const root = parseXml(buildSsml({ items: [say('Hi.')], voice }));
    expect(root.attrs['xml:lang']).toBe('en&US');
    expect(elements(root, 'voice')[0]?.attrs.name).toBe('x" onload="<evil>');
    expect(elements(root, 'mstts:express-as')[0]?.attrs.style).toBe("it's");
  });

  it('opens a new voice block whenever the voice changes', () => {
    const items: SceneItem[] = [
      say('One.'),
      say('Two.'),
      say('Guest.', { voice: 'guest' }),
      { kind: 'pause', ms: 700, line: 1, col: 1 },
      say('Guest again.', { voice: 'guest' }),
      say('Back.'),
    ];
    const resolveVoiceName = (slug: string) => `en-US-${slug}-Neural`;
    const root = parseXml(buildSsml({ items, voice: JOB_VOICE, resolveVoiceName }));
    const blocks = elements(root, 'voice');
    expect(blocks.map((v) => [v.attrs.name, textOf(v)])).toEqual([
      ['en-US-JennyNeural', 'One. Two.'],
      ['en-US-guest-Neural', 'Guest.Guest again.'],
      ['en-US-JennyNeural', 'Back.'],
    ]);
    expect(elements(blocks[1] as XmlElement, 'break').map((b) => b.attrs.time)).toEqual(['700ms']);
  });

  it('uses the preset style by default, the utterance style over it, and prosody when set', () => {
    const voice: SsmlVoice = {
      ...JOB_VOICE,
      style: 'calm',
      styleDegree: 0.8,
      role: 'Narrator',
      prosody: { rate: '+5%' },
    };
    const items = [
      say('Calm.'),
      say('Happy.', { style: { name: 'cheerful', degree: 1.5 }, prosody: { pitch: '-2st' } }),
      say('Guest.', { voice: 'guest' }),
    ];
    const root = parseXml(buildSsml({ items, voice }));
    expect(elements(root, 'mstts:express-as').map((e) => [e.attrs, textOf(e)])).toEqual([
      [{ style: 'calm', styledegree: '0.8', role: 'Narrator' }, 'Calm.'],
      [{ style: 'cheerful', styledegree: '1.5', role: 'Narrator' }, 'Happy.'],
    ]);
    expect(elements(root, 'prosody').map((p) => [p.attrs, textOf(p)])).toEqual([
      [{ rate: '+5%' }, 'Calm.'],
      [{ rate: '+5%', pitch: '-2st' }, 'Happy.'],
    ]);
  });

  it('emits no express-as or prosody for plain speech, and a voice block even with no items', () => {
    const plain = buildSsml({ items: [say('Plain.')], voice: JOB_VOICE });
    expect(plain).toContain('<voice name="en-US-JennyNeural">Plain.</voice>');
    const empty = parseXml(buildSsml({ items: [], voice: JOB_VOICE }));
    expect(elements(empty, 'voice')).toHaveLength(1);
  });

  it('builds a whole parsed document', () => {
    const parsed = parseScriptText(
      '# One\nHello & welcome. [pause 1.5s] [cheerful] <Great>!\n# Two\n[voice guest] "Quoted" text.',
      'doc.md',
    );
    if (!parsed.ok) throw new Error('parse failed');
    const root = parseXml(buildDocumentSsml(parsed.document, JOB_VOICE, (slug) => `voice-${slug}`));
    expect(elements(root, 'voice').map((v) => v.attrs.name)).toEqual(['en-US-JennyNeural', 'voice-guest']);
    expect(elements(root, 'break')[0]?.attrs.time).toBe('1500ms');
    expect(textOf(root)).toBe('Hello & welcome.<Great>!"Quoted" text.');
  });
});
