import { describe, expect, it } from 'vitest';
import { parsePlist } from './plist.ts';

const wrap = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">${body}</plist>\n`;

describe('parsePlist', () => {
  it('reads the subset the app ships', () => {
    expect(
      parsePlist(
        wrap(
          '<dict><!-- why --><key>a</key><true/><key>b</key><false/><key>c</key><string>x &amp; y</string>' +
            '<key>d</key><array><integer>3</integer><real>1.5</real><string></string></array><key>e</key><dict/></dict>',
        ),
      ),
    ).toEqual({ a: true, b: false, c: 'x & y', d: [3, 1.5, ''], e: {} });
  });

  it('refuses what it does not understand rather than guessing', () => {
    expect(() => parsePlist('<dict/>')).toThrow(/not a property list/);
    expect(() => parsePlist(wrap('<dict><key>a</key><data>AA==</data></dict>'))).toThrow(/unsupported/);
    expect(() => parsePlist(wrap('<dict><key>a</key><true/><key>a</key><true/></dict>'))).toThrow(
      /duplicate/,
    );
    expect(() => parsePlist(wrap('<dict><true/></dict>'))).toThrow(/expected <key>/);
    expect(() => parsePlist(wrap('<dict><key>a</key><true/>'))).toThrow();
  });
});
