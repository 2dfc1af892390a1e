// Text encodings: labels resolved (WHATWG plus cp949), encodings detected from a
// sample, and streaming decoders that never break a character split across chunks.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { bomLength, createDecoder, decodeText, detectEncoding, looksLikeText, resolveEncoding } from '../../src/text/encoding.js';
import { thrown } from '../support/failure.js';

const KOREAN = '똠방각하, 안녕하세요! 한국어 텍스트입니다. 쀍 햏 뷁 가나다라마바사';
const JAPANESE = 'こんにちは、世界。日本語のテキストです。これは日本語の文章で、文字コードの判定に使います。';

const bytes = (text: string, encoding: string) => new Uint8Array(iconv.encode(text, encoding));

/** Decodes `data` in the given pieces (cut at `cuts`, sorted byte offsets). */
function decodeInPieces(data: Uint8Array, encoding: string, cuts: number[]): { text: string; replacements: number } {
  const decoder = createDecoder(encoding);
  let text = '';
  let start = 0;
  for (const cut of [...cuts, data.length]) {
    text += decoder.write(data.subarray(start, cut));
    start = cut;
  }
  text += decoder.end();
  return { text, replacements: decoder.replacements };
}

/** The 2,350 Hangul syllables of KS X 1001 (EUC-KR): the ones Korean text is mostly made of. */
const COMMON_HANGUL = [
  ...iconv.decode(Buffer.from(Array.from({ length: 25 * 94 }, (_, i) => [0xb0 + Math.floor(i / 94), 0xa1 + (i % 94)]).flat()), 'cp949'),
];
/**
 * Strings of ASCII (with line breaks and quotes) and Hangul syllables as Korean text has
 * them: mostly KS X 1001's, with any of the 11,172 (똠 and friends) now and then. (A
 * string of rare syllables only is not Korean text: its bytes are Shift_JIS kanji.)
 */
const hangul = fc.oneof(
  { arbitrary: fc.constantFrom(...COMMON_HANGUL), weight: 4 },
  { arbitrary: fc.integer({ min: 0xac00, max: 0xd7a3 }).map((code) => String.fromCodePoint(code)), weight: 1 },
);
const ascii = fc.constantFrom(...'abcXYZ019 ,;"\'\n\r\t-_.');
const koreanText = fc
  .array(fc.oneof({ arbitrary: hangul, weight: 3 }, { arbitrary: ascii, weight: 2 }, fc.constant('똠')), { maxLength: 200 })
  .map((cs) => cs.join(''));
// U+FFFD itself is left out: the decoders count it as a replacement, wherever it came from.
const anyText = fc.string({ unit: 'grapheme', maxLength: 120 }).filter((text) => !text.includes('\uFFFD'));

/** Up to 12 distinct byte offsets inside `length`, sorted. */
const cutsFor = (length: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b));

describe('resolveEncoding', () => {
  it.each([
    ['utf-8', 'utf-8'],
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    [' utf-8 ', 'utf-8'],
    ['unicode-1-1-utf-8', 'utf-8'],
    ['utf-16', 'utf-16le'],
    ['utf-16le', 'utf-16le'],
    ['utf-16be', 'utf-16be'],
    ['shift_jis', 'shift_jis'],
    ['sjis', 'shift_jis'],
    ['euc-jp', 'euc-jp'],
    ['gbk', 'gbk'],
    ['big5', 'big5'],
    ['windows-1252', 'windows-1252'],
    ['latin1', 'windows-1252'],
    ['iso-8859-1', 'windows-1252'],
    ['iso-8859-2', 'iso-8859-2'],
    ['koi8-r', 'koi8-r'],
  ])('resolves %j to %s', (label, expected) => {
    expect(resolveEncoding(label)).toBe(expected);
  });

  it.each([
    'euc-kr',
    'EUC-KR',
    'korean',
    'ks_c_5601-1987',
    'ks_c_5601-1989',
    'csksc56011987',
    'windows-949',
    'cp949',
    'CP949',
    'ms949',
    'uhc',
    'x-windows-949',
  ])('resolves the Korean label %j to cp949, which decodes 똠', (label) => {
    const encoding = resolveEncoding(label);
    expect(encoding).toBe('cp949');
    expect(decodeText(bytes(KOREAN, 'cp949'), encoding)).toBe(KOREAN);
  });

  it.each(['klingon', '', 'utf-9', 'cp9490', 'iso-2022-kr', 'replacement', 'x-user-defined-nope'])(
    'refuses %j as BAD_USER_INPUT',
    (label) => {
      const error = thrown(() => resolveEncoding(label));
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain(JSON.stringify(label));
    },
  );
});

describe('detectEncoding', () => {
  it('goes by a BOM first', () => {
    expect(detectEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), true)).toBe('utf-8');
    expect(detectEncoding(new Uint8Array([0xff, 0xfe, 0x41, 0x00]), true)).toBe('utf-16le');
    expect(detectEncoding(new Uint8Array([0xfe, 0xff, 0x00, 0x41]), true)).toBe('utf-16be');
    // A BOM wins even over bytes that look like something else.
    expect(detectEncoding(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(KOREAN, 'cp949')]), true)).toBe('utf-8');
  });

  it('takes ASCII, UTF-8 and nothing at all for UTF-8', () => {
    expect(detectEncoding(new Uint8Array(), true)).toBe('utf-8');
    expect(detectEncoding(bytes('plain ascii, 123\n', 'utf-8'), true)).toBe('utf-8');
    expect(detectEncoding(bytes(KOREAN, 'utf-8'), true)).toBe('utf-8');
    expect(detectEncoding(bytes(JAPANESE, 'utf-8'), true)).toBe('utf-8');
  });

  it('tolerates a UTF-8 character cut off at the end of a partial sample', () => {
    const data = bytes('가나다🎉', 'utf-8');
    for (let cut = 1; cut <= 3; cut++) expect(detectEncoding(data.subarray(0, data.length - cut), false)).toBe('utf-8');
  });

  it('recognises CP949 (EUC-KR) Korean, 똠 included', () => {
    expect(detectEncoding(bytes(KOREAN, 'cp949'), true)).toBe('cp949');
    expect(detectEncoding(bytes('똠똠똠똠', 'cp949'), true)).toBe('cp949');
    expect(detectEncoding(bytes(`${'id,name,value\n'.repeat(20)}1,김철수,똠\n`, 'cp949'), true)).toBe('cp949');
  });

  it('recognises CP949 in a partial sample cut inside a double-byte character', () => {
    const data = bytes(KOREAN, 'cp949');
    // Cut right after a lead byte: 똠's lead byte is the first.
    expect(detectEncoding(data.subarray(0, 1 + 2 * 3), false)).toBe('cp949');
  });

  it('recognises Shift_JIS and windows-1252 text', () => {
    expect(detectEncoding(bytes(JAPANESE, 'shift_jis'), true)).toBe('shift_jis');
    expect(detectEncoding(bytes('Café crème, déjà vu, naïve façade, über. '.repeat(5), 'windows-1252'), true)).toBe('windows-1252');
  });

  it('detects UTF-8 for any text, whole or cut anywhere', () => {
    fc.assert(
      fc.property(anyText, fc.nat(), (text, at) => {
        const data = bytes(text, 'utf-8');
        expect(detectEncoding(data, true)).toBe('utf-8');
        expect(detectEncoding(data.subarray(0, data.length === 0 ? 0 : at % (data.length + 1)), false)).toBe('utf-8');
      }),
    );
  });

  it('detects CP949 for Korean text of a few syllables or more, whole or cut anywhere', () => {
    fc.assert(
      fc.property(
        koreanText.filter((t) => [...t].filter((c) => c >= '\uac00' && c <= '\ud7a3').length >= 6),
        fc.nat(),
        (text, at) => {
          const data = bytes(text, 'cp949');
          expect(detectEncoding(data, true)).toBe('cp949');
          // A sample holds its first 6 syllables at least.
          const sixth = [...text].reduce(
            (n, c, i) => (n.count < 6 && c >= '\uac00' && c <= '\ud7a3' ? { count: n.count + 1, end: i + 1 } : n),
            {
              count: 0,
              end: 0,
            },
          ).end;
          const minimum = iconv.encode([...text].slice(0, sixth).join(''), 'cp949').length;
          const cut = minimum + (at % (data.length - minimum + 1));
          expect(detectEncoding(data.subarray(0, cut), false)).toBe('cp949');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('createDecoder', () => {
  it('strips the BOM of its encoding, and keeps a U+FEFF elsewhere', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0x42]), 'utf-8')).toBe('AB');
    expect(decodeText(new Uint8Array(Buffer.from('\uFEFFAB\uFEFF', 'utf16le')), 'utf-16le')).toBe('AB\uFEFF');
    expect(decodeText(new Uint8Array(Buffer.from('\uFEFF한', 'utf16le').swap16()), 'utf-16be')).toBe('한');
  });

  it('decodes a whole UTF-8 buffer (decodeText) as the streaming decoder does, in any pieces, bytes that do not decode included (property)', () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 8 }),
      fc.constantFrom(...['한', '😀', 'a', '\uFEFF', '\uFFFD'].map((c) => new Uint8Array(Buffer.from(c)))),
      fc.constantFrom(
        new Uint8Array([0xef, 0xbb]),
        new Uint8Array([0xf0, 0x9f]),
        new Uint8Array([0xc3]),
        new Uint8Array([0xed, 0xa0, 0x80]),
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 4 }), (pieces, cutsAt) => {
        const data = new Uint8Array(Buffer.concat(pieces));
        const cuts = [...new Set(cutsAt.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        expect(decodeText(data, 'utf-8')).toBe(decodeInPieces(data, 'utf-8', cuts).text);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells the length of a BOM of the encoding', () => {
    expect(bomLength(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), 'utf-8')).toBe(3);
    expect(bomLength(new Uint8Array([0xff, 0xfe, 0x41, 0x00]), 'utf-16le')).toBe(2);
    expect(bomLength(new Uint8Array([0xff, 0xfe, 0x41, 0x00]), 'utf-8')).toBe(0);
    expect(bomLength(new Uint8Array([0x41]), 'utf-8')).toBe(0);
  });

  it('counts the bytes that did not decode', () => {
    const decoder = createDecoder('utf-8');
    expect(decoder.write(new Uint8Array([0x41, 0xff, 0x42, 0xc3]))).toBe('A\uFFFDB');
    expect(decoder.end()).toBe('\uFFFD');
    expect(decoder.replacements).toBe(2);
    const korean = createDecoder('cp949');
    korean.write(new Uint8Array([0xb0, 0xa1, 0xff]));
    korean.end();
    expect(korean.replacements).toBeGreaterThanOrEqual(1);
  });

  it('does not count a U+FFFD that UTF-8 bytes spell out, even split across chunks', () => {
    const data = bytes('a\uFFFDb\uFFFD', 'utf-8');
    for (let cut = 0; cut <= data.length; cut++)
      expect(decodeInPieces(data, 'utf-8', [cut])).toEqual({ text: 'a\uFFFDb\uFFFD', replacements: 0 });
    expect(decodeInPieces(data, 'utf-8', [1, 2, 3, 4, 5, 6, 7])).toEqual({ text: 'a\uFFFDb\uFFFD', replacements: 0 });
    const broken = new Uint8Array([0xc3, ...data, 0xff]);
    expect(decodeInPieces(broken, 'utf-8', [2, 4])).toEqual({ text: '\uFFFDa\uFFFDb\uFFFD\uFFFD', replacements: 2 });
  });

  it('decodes windows-1252 by the WHATWG table (0x80 is €), whatever the chunks', () => {
    const data = new Uint8Array([0x80, 0x41, 0x9f, 0xe9]);
    expect(decodeText(data, 'windows-1252')).toBe('€AŸé');
    expect(decodeInPieces(data, 'windows-1252', [1, 2]).text).toBe('€AŸé');
  });

  it('decodes UTF-8 split anywhere into chunks exactly', () => {
    fc.assert(
      fc.property(
        anyText.chain((text) => {
          const data = bytes(text, 'utf-8');
          return fc.tuple(fc.constant(text), fc.constant(data), cutsFor(data.length));
        }),
        ([text, data, cuts]) => {
          expect(decodeInPieces(data, 'utf-8', cuts)).toEqual({ text, replacements: 0 });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes CP949 split anywhere into chunks exactly', () => {
    fc.assert(
      fc.property(
        koreanText.chain((text) => {
          const data = bytes(text, 'cp949');
          return fc.tuple(fc.constant(text), fc.constant(data), cutsFor(data.length));
        }),
        ([text, data, cuts]) => {
          expect(decodeInPieces(data, 'cp949', cuts)).toEqual({ text, replacements: 0 });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes CP949 one byte at a time exactly', () => {
    const data = bytes(KOREAN, 'cp949');
    expect(
      decodeInPieces(
        data,
        'cp949',
        Array.from({ length: data.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual({ text: KOREAN, replacements: 0 });
  });

  it('decodes UTF-16 and Shift_JIS split anywhere into chunks exactly', () => {
    fc.assert(
      fc.property(
        anyText.chain((text) => {
          const data = new Uint8Array(Buffer.from(`\uFEFF${text}`, 'utf16le'));
          return fc.tuple(fc.constant(text), fc.constant(data), cutsFor(data.length));
        }),
        ([text, data, cuts]) => {
          expect(decodeInPieces(data, 'utf-16le', cuts)).toEqual({ text, replacements: 0 });
        },
      ),
      { numRuns: 300 },
    );
    const sjis = bytes(JAPANESE, 'shift_jis');
    for (let cut = 0; cut <= sjis.length; cut++) expect(decodeInPieces(sjis, 'shift_jis', [cut]).text).toBe(JAPANESE);
  });
});

describe('looksLikeText', () => {
  it('takes UTF-8, CP949, UTF-16 with a BOM and empty samples for text', () => {
    expect(looksLikeText(new Uint8Array())).toBe(true);
    expect(looksLikeText(bytes('hello\nworld\n', 'utf-8'))).toBe(true);
    expect(looksLikeText(bytes(KOREAN, 'utf-8'))).toBe(true);
    expect(looksLikeText(bytes(KOREAN, 'cp949'))).toBe(true);
    expect(looksLikeText(new Uint8Array(Buffer.from('\uFEFFUTF-16 text', 'utf16le')))).toBe(true);
  });

  it('takes NULs and control bytes for binary', () => {
    expect(looksLikeText(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]))).toBe(false);
    expect(looksLikeText(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]))).toBe(false);
    expect(looksLikeText(new Uint8Array([0x80, 0x04, 0x95, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06]))).toBe(false);
  });
});

describe('detecting East Asian encodings (fixtures written by Python: test/fixtures/encodings/make_fixtures.py)', () => {
  const folder = new URL('../fixtures/encodings/', import.meta.url);
  const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, folder)));
  const cases = [
    ['ja.shift-jis.csv', 'shift_jis', 'ja.utf8.csv'],
    ['ja.euc-jp.csv', 'euc-jp', 'ja.utf8.csv'],
    ['zh-hans.gb18030.csv', 'gb18030', 'zh-hans.utf8.csv'],
    ['zh-hant.big5.csv', 'big5', 'zh-hant.utf8.csv'],
    ['ko.cp949.csv', 'cp949', 'ko.utf8.csv'],
  ] as const;

  it.each(cases)('detects %s as %s and decodes it to the text Python encoded', (file, encoding, utf8) => {
    const data = fixture(file);
    expect(detectEncoding(data, true)).toBe(encoding);
    expect(decodeText(data, detectEncoding(data, true))).toBe(readFileSync(new URL(utf8, folder), 'utf8'));
  });

  it.each(cases)('detects %s from a leading sample cut anywhere after its header (%s)', (file, encoding) => {
    const data = fixture(file);
    for (let end = 60; end <= data.length; end += 7)
      expect(detectEncoding(data.subarray(0, end), false), `first ${end} bytes`).toBe(encoding);
  });

  it('detects a Japanese header of kanji only in Shift_JIS (it decodes as CP949 too, into rare Hangul)', () => {
    const data = bytes('氏名,年齢,住所,電話番号\n山田太郎,30,東京都新宿区,03-1234-5678\n', 'shift_jis');
    expect(detectEncoding(data, true)).toBe('shift_jis');
  });

  it('still reads Korean as CP949 when it also decodes as GB18030', () => {
    // Every KS X 1001 syllable's bytes are a GB 2312 level-1 hanzi's as well.
    const data = bytes('서울,부산,대구,인천,광주,대전,울산\n', 'cp949');
    expect(detectEncoding(data, true)).toBe('cp949');
  });

  it('counts every CJK encoding as text', () => {
    for (const [file] of cases) expect(looksLikeText(fixture(file))).toBe(true);
  });
});
