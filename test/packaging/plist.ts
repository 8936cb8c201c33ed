/**
 * A reader for the XML property lists the app ships (entitlements): dict, array, key, string, integer,
 * real, true and false. Anything else is an error, so a typo in the file fails the test.
 */
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const TOKEN = /<(\/?)([a-zA-Z]+)\s*(\/?)>|([^<]+)/g;

interface Token {
  kind: 'open' | 'close' | 'empty' | 'text';
  name: string;
}

function tokenize(xml: string): Token[] {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '');
  const tokens: Token[] = [];
  for (const match of body.matchAll(TOKEN)) {
    const [, closing, name, selfClosing, text] = match;
    if (text !== undefined) {
      if (text.trim()) tokens.push({ kind: 'text', name: text });
    } else {
      tokens.push({ kind: closing ? 'close' : selfClosing ? 'empty' : 'open', name: name ?? '' });
    }
  }
  return tokens;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function parsePlist(xml: string): PlistValue {
  // The root <plist version="1.0"> (after the XML declaration and DOCTYPE) wraps exactly one value.
  const root = /<plist\b[^>]*>([\s\S]*)<\/plist>\s*$/.exec(xml.trim());
  if (!root?.[1]) throw new Error('not a property list');
  const tokens = tokenize(root[1]);
  let at = 0;
  const next = (): Token => {
    const token = tokens[at++];
    if (!token) throw new Error('unexpected end of property list');
    return token;
  };
  const expectClose = (name: string) => {
    const token = next();
    if (token.kind !== 'close' || token.name !== name) throw new Error(`expected </${name}>`);
  };
  const textOf = (name: string): string => {
    const token = next();
    if (token.kind === 'close' && token.name === name) return '';
    if (token.kind !== 'text') throw new Error(`expected text in <${name}>`);
    expectClose(name);
    return decodeEntities(token.name);
  };
  const value = (): PlistValue => {
    const token = next();
    if (token.kind === 'empty' && token.name === 'true') return true;
    if (token.kind === 'empty' && token.name === 'false') return false;
    if (token.kind === 'empty' && token.name === 'dict') return {};
    if (token.kind === 'empty' && token.name === 'array') return [];
    if (token.kind === 'empty' && token.name === 'string') return '';
    if (token.kind !== 'open') throw new Error(`unexpected ${token.kind} ${token.name}`);
    switch (token.name) {
      case 'string':
        return textOf('string');
      case 'integer':
      case 'real': {
        const n = Number(textOf(token.name));
        if (!Number.isFinite(n)) throw new Error(`bad <${token.name}>`);
        return n;
      }
      case 'array': {
        const items: PlistValue[] = [];
        while (tokens[at] && !(tokens[at]?.kind === 'close' && tokens[at]?.name === 'array'))
          items.push(value());
        expectClose('array');
        return items;
      }
      case 'dict': {
        const dict: Record<string, PlistValue> = {};
        while (tokens[at] && !(tokens[at]?.kind === 'close' && tokens[at]?.name === 'dict')) {
          const key = next();
          if (key.kind !== 'open' || key.name !== 'key') throw new Error('expected <key> in <dict>');
          const name = textOf('key');
          if (name in dict) throw new Error(`duplicate key ${name}`);
          dict[name] = value();
        }
        expectClose('dict');
        return dict;
      }
      default:
        throw new Error(`unsupported element <${token.name}>`);
    }
  };
  const result = value();
  if (at !== tokens.length) throw new Error('content after the root value');
  return result;
}
