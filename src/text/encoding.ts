// Text encodings: label validation, detection and streaming decoders.
// Labels are the WHATWG Encoding Standard's plus `cp949`. Korean labels
// (euc-kr, cp949 and their aliases) decode with iconv-lite's cp949, because
// Node's TextDecoder('euc-kr') loses the characters outside KS X 1001 (e.g. 똠).
import { isUtf8 as isValidUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { BadUserInput } from '../errors.js';

/** Canonical names this module returns: WHATWG names, with `cp949` for Korean. */
export type EncodingName = string;

const KOREAN_LABELS = new Set(['cp949', 'ms949', 'uhc', 'windows-949', 'x-windows-949']);

/**
 * Turns a user-given label into a canonical encoding name, or throws BAD_USER_INPUT
 * for a label the WHATWG Encoding Standard (plus cp949) does not define.
 */
export function resolveEncoding(label: string): EncodingName {
  const normalised = label.trim().toLowerCase();
  if (KOREAN_LABELS.has(normalised)) return 'cp949';
  let name: string;
  try {
    name = new TextDecoder(normalised).encoding;
  } catch {
    throw new BadUserInput(
      `Unknown encoding ${JSON.stringify(label)}: use a WHATWG Encoding Standard label (utf-8, euc-kr, shift_jis, windows-1252, ...) or cp949`,
      {
        encoding: label,
      },
    );
  }
  return name === 'euc-kr' ? 'cp949' : name;
}

export interface StreamingDecoder {
  /** Decodes a chunk; bytes of a character split across chunks are kept for the next call. */
  write(chunk: Uint8Array): string;
  end(): string;
  /** U+FFFD characters produced so far: bytes that did not decode. */
  readonly replacements: number;
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) n++;
  return n;
}

/** A streaming decoder that strips a leading BOM of its encoding. */
export function createDecoder(encoding: EncodingName): StreamingDecoder {
  let replacements = 0;
  const track = (text: string) => {
    if (text.includes('\uFFFD')) replacements += countReplacements(text);
    return text;
  };
  if (encoding === 'cp949') {
    const decoder = iconv.getDecoder('cp949');
    return {
      write: (chunk) => track(decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))),
      end: () => track(decoder.end() ?? ''),
      get replacements() {
        return replacements;
      },
    };
  }
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  // In UTF-8 a U+FFFD can be text the bytes spell out (EF BF BD): that one decoded fine.
  const spelled = encoding === 'utf-8' ? spelledReplacementCounter() : null;
  return {
    write: (chunk) => {
      spelled?.add(chunk);
      return track(decoder.decode(chunk, { stream: true }));
    },
    end: () => track(decoder.decode()),
    get replacements() {
      return replacements - (spelled?.count ?? 0);
    },
  };
}

const UTF8_REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

/** Counts the UTF-8 encodings of U+FFFD in a byte stream, including those split across chunks. */
function spelledReplacementCounter() {
  let count = 0;
  let tail = Buffer.alloc(0);
  return {
    get count() {
      return count;
    },
    add(chunk: Uint8Array) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      // A sequence that starts in the last two bytes of the previous chunk ends in this one.
      const seam = Buffer.concat([tail, bytes.subarray(0, 2)]);
      for (let i = seam.indexOf(UTF8_REPLACEMENT); i !== -1 && i < tail.length; i = seam.indexOf(UTF8_REPLACEMENT, i + 1)) count++;
      for (let i = bytes.indexOf(UTF8_REPLACEMENT); i !== -1; i = bytes.indexOf(UTF8_REPLACEMENT, i + 3)) count++;
      tail = Buffer.from(bytes.length >= 2 ? bytes.subarray(-2) : Buffer.concat([tail, bytes]).subarray(-2));
    },
  };
}

/** Decodes a whole buffer (BOM stripped). */
export function decodeText(bytes: Uint8Array, encoding: EncodingName): string {
  // Not streamed: Node decodes UTF-8 in one call about twice as fast as with `stream: true`
  // (measured on an 11 MB JSON array, Korean in it), with the same text.
  if (encoding === 'utf-8') return new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
  const decoder = createDecoder(encoding);
  return decoder.write(bytes) + decoder.end();
}

function bomEncoding(bytes: Uint8Array): EncodingName | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** Length of the BOM the bytes start with, for `encoding` (0 when none). */
export function bomLength(bytes: Uint8Array, encoding: EncodingName): number {
  const bom = bomEncoding(bytes);
  if (bom !== encoding) return 0;
  return bom === 'utf-8' ? 3 : 2;
}

/** Where the UTF-8 bytes end once a character cut off at their end (at most 3 bytes of it) is dropped. */
function wholeUtf8End(bytes: Uint8Array): number {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for its lead
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (needed > back) end -= back;
    }
    break;
  }
  return end;
}

/** True when `bytes` is valid UTF-8, allowing a character cut off at the end of a sample. */
function isUtf8(bytes: Uint8Array, complete: boolean): boolean {
  // node:buffer's check decodes nothing (a fatal TextDecoder made a string of the whole sample).
  return isValidUtf8(complete ? bytes : bytes.subarray(0, wholeUtf8End(bytes)));
}

/**
 * The text of the leading bytes of a stream, as a streaming decoder's first `write`
 * gives it (BOM stripped, a character cut off at the end left out); UTF-8 in one call,
 * which Node does several times faster than with `stream: true`.
 */
export function decodeLeading(bytes: Uint8Array, encoding: EncodingName): string {
  if (encoding === 'utf-8') return new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes.subarray(0, wholeUtf8End(bytes)));
  return createDecoder(encoding).write(bytes);
}

/** The East Asian multi-byte encodings detection tells apart, in the order that wins a tie. */
const CJK_ENCODINGS = ['cp949', 'shift_jis', 'euc-jp', 'gb18030', 'big5'] as const;
type CjkEncoding = (typeof CJK_ENCODINGS)[number];

/** The characters of a double-byte region of an encoding: leads × trails, decoded. */
function region(encoding: string, leads: [number, number], trails: [number, number][]): Set<string> {
  const bytes: number[] = [];
  for (let lead = leads[0]; lead <= leads[1]; lead++)
    for (const [from, to] of trails) for (let trail = from; trail <= to; trail++) bytes.push(lead, trail);
  const text = encoding === 'cp949' ? iconv.decode(Buffer.from(bytes), 'cp949') : new TextDecoder(encoding).decode(new Uint8Array(bytes));
  return new Set([...text].filter((ch) => ch !== '\uFFFD'));
}

let common: Record<CjkEncoding, Set<string>> | null = null;

/**
 * The characters everyday text in each language is made of, from the encodings' own
 * layout: the 2,350 Hangul syllables of KS X 1001, JIS level-1 kanji (2,965), the
 * 3,755 level-1 hanzi of GB 2312, the 5,401 frequent hanzi of Big5. Text decoded
 * with the wrong encoding comes out in rare syllables and characters instead.
 */
function commonCharacters(): Record<CjkEncoding, Set<string>> {
  if (common) return common;
  const japanese = region('euc-jp', [0xb0, 0xcf], [[0xa1, 0xfe]]);
  common = {
    cp949: region('cp949', [0xb0, 0xc8], [[0xa1, 0xfe]]),
    shift_jis: japanese,
    'euc-jp': japanese,
    gb18030: region('gb18030', [0xb0, 0xd7], [[0xa1, 0xfe]]),
    big5: region(
      'big5',
      [0xa4, 0xc5],
      [
        [0x40, 0x7e],
        [0xa1, 0xfe],
      ],
    ),
  };
  for (const ch of region('big5', [0xc6, 0xc6], [[0x40, 0x7e]])) common.big5.add(ch);
  return common;
}

/** Punctuation and full-width forms every CJK text uses (not half-width katakana: rare in text, common in mojibake); kana for Japanese. */
function isSharedCjk(code: number, encoding: CjkEncoding): boolean {
  if ((code >= 0x3000 && code <= 0x303f) || (code >= 0xff01 && code <= 0xff5e) || (code >= 0xffe0 && code <= 0xffe6)) return true;
  return (encoding === 'shift_jis' || encoding === 'euc-jp') && code >= 0x3040 && code <= 0x30ff;
}

/** Fewer non-ASCII characters than this are too little evidence to tell rare Hangul from mojibake. */
const SHORT_SAMPLE = 8;

/**
 * Share of the non-ASCII characters of `text` that are common in the language of
 * `encoding` (0 when none). Hangul syllables outside KS X 1001 (똠, 햏: CP949's
 * extension) count too, unless they are most of a sample of 8 or more characters:
 * that is where Shift_JIS bytes land when misread as CP949 (then they count a quarter).
 */
function plausibility(text: string, encoding: CjkEncoding): number {
  const expected = commonCharacters()[encoding];
  let nonAscii = 0;
  let fit = 0;
  let rareHangul = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) continue;
    nonAscii++;
    if (expected.has(ch) || isSharedCjk(code, encoding)) fit++;
    else if (encoding === 'cp949' && code >= 0xac00 && code <= 0xd7a3) rareHangul++;
  }
  if (nonAscii === 0) return 0;
  const mojibake = nonAscii >= SHORT_SAMPLE && rareHangul > nonAscii / 2;
  return (fit + rareHangul * (mojibake ? 0.25 : 1)) / nonAscii;
}

/** The sample decoded with `encoding`, or null when its bytes are not valid in it. */
function decodeStrictly(sample: Uint8Array, encoding: CjkEncoding, complete: boolean): string | null {
  // A sample cut inside a double-byte character: drop its last byte and try again.
  const attempts = complete ? [sample] : [sample, sample.subarray(0, sample.length - 1)];
  for (const bytes of attempts) {
    if (encoding === 'cp949') {
      const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp949');
      if (!text.includes('\uFFFD')) return text;
      continue;
    }
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch {}
  }
  return null;
}

/**
 * Korean, Japanese or Chinese, when the sample is one of them: each encoding that
 * decodes the sample without an error is scored by how much of the decoded text is
 * made of the language's common characters; the best score wins (at least 0.8). A
 * tie goes to CP949 (Korean first: Korean text decodes into common hanzi of GB 2312
 * too, and a few rare syllables into JIS kanji), else to chardet's favourite among
 * the tied (Chinese decodes into JIS kanji), else the first in CJK_ENCODINGS. Below 0.8, CP949 still wins when it decodes cleanly into mostly
 * Hangul (rare syllables included).
 */
function detectCjk(sample: Uint8Array, complete: boolean): EncodingName | null {
  const scored: { encoding: CjkEncoding; score: number; text: string }[] = [];
  for (const encoding of CJK_ENCODINGS) {
    const text = decodeStrictly(sample, encoding, complete);
    if (text !== null) scored.push({ encoding, score: plausibility(text, encoding), text });
  }
  const best = Math.max(0, ...scored.map((s) => s.score));
  if (best >= 0.8) {
    const tied = scored.filter((s) => best - s.score < 0.02).map((s) => s.encoding as string);
    if (tied.includes('cp949')) return 'cp949';
    if (tied.length > 1)
      for (const candidate of chardet.analyse(sample)) {
        const name = CHARDET_TO_WHATWG[candidate.name];
        if (name && tied.includes(name)) return name;
      }
    return tied[0] ?? null;
  }
  const korean = scored.find((s) => s.encoding === 'cp949');
  return korean && hangulShare(korean.text) > 0.5 ? 'cp949' : null;
}

/** Share of Hangul syllables among the non-ASCII characters of a text. */
function hangulShare(text: string): number {
  let nonAscii = 0;
  let hangul = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) continue;
    nonAscii++;
    if (code >= 0xac00 && code <= 0xd7a3) hangul++;
  }
  return nonAscii === 0 ? 0 : hangul / nonAscii;
}

const CHARDET_TO_WHATWG: Record<string, EncodingName> = {
  'UTF-8': 'utf-8',
  'UTF-16LE': 'utf-16le',
  'UTF-16BE': 'utf-16be',
  'EUC-KR': 'cp949',
  'EUC-JP': 'euc-jp',
  Shift_JIS: 'shift_jis',
  'ISO-2022-JP': 'iso-2022-jp',
  GB18030: 'gb18030',
  Big5: 'big5',
  'windows-1250': 'windows-1250',
  'windows-1251': 'windows-1251',
  'windows-1252': 'windows-1252',
  'windows-1253': 'windows-1253',
  'windows-1254': 'windows-1254',
  'windows-1255': 'windows-1255',
  'windows-1256': 'windows-1256',
  'ISO-8859-1': 'windows-1252',
  'ISO-8859-2': 'iso-8859-2',
  'ISO-8859-5': 'iso-8859-5',
  'ISO-8859-6': 'iso-8859-6',
  'ISO-8859-7': 'iso-8859-7',
  'ISO-8859-8': 'iso-8859-8',
  'ISO-8859-9': 'windows-1254',
  'KOI8-R': 'koi8-r',
};

/**
 * Guesses the encoding of a text from a leading sample. In order: a BOM; valid
 * UTF-8 (ASCII included); CP949, Shift_JIS, EUC-JP, GB18030 or Big5 when the sample
 * decodes cleanly into that language's common characters (detectCjk); chardet's best
 * guess among encodings we can decode; windows-1252 as the last resort, since it
 * decodes any byte.
 * `complete` says the sample is the whole text (so a cut-off character is an error).
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): EncodingName {
  const bom = bomEncoding(sample);
  if (bom) return bom;
  if (isUtf8(sample, complete)) return 'utf-8';
  const cjk = detectCjk(sample, complete);
  if (cjk) return cjk;
  for (const candidate of chardet.analyse(sample)) {
    const name = CHARDET_TO_WHATWG[candidate.name];
    if (name && candidate.confidence >= 30) return name;
  }
  return 'windows-1252';
}

/**
 * True when the sample looks like text rather than binary data: no NUL bytes (unless
 * UTF-16 with a BOM) and not mostly control characters.
 */
export function looksLikeText(sample: Uint8Array): boolean {
  if (sample.length === 0) return true;
  const bom = bomEncoding(sample);
  if (bom === 'utf-16le' || bom === 'utf-16be') return true;
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) control++;
  }
  if (control / sample.length > 0.05) return false;
  const encoding = detectEncoding(sample, false);
  if (encoding === 'utf-8' || (CJK_ENCODINGS as readonly string[]).includes(encoding)) return true;
  // Single-byte guesses decode anything: require that most bytes are printable ASCII.
  let ascii = 0;
  for (const byte of sample) if (byte >= 0x20 && byte < 0x7f) ascii++;
  return ascii / sample.length > 0.7;
}
