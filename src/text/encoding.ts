// Text encodings: label validation, detection and streaming decoders.
// Labels are the WHATWG Encoding Standard's plus `cp949`. Korean labels
// (euc-kr, cp949 and their aliases) decode with iconv-lite's cp949, because
// Node's TextDecoder('euc-kr') loses the characters outside KS X 1001 (e.g. 똠).
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

/** True when `bytes` is valid UTF-8, allowing a character cut off at the end of a sample. */
function isUtf8(bytes: Uint8Array, complete: boolean): boolean {
  let end = bytes.length;
  if (!complete) {
    // Drop a trailing partial sequence: at most 3 bytes of an unfinished character.
    for (let back = 1; back <= 3 && end - back >= 0; back++) {
      const byte = bytes[end - back] as number;
      if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for its lead
      if (byte >= 0xc0) {
        const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
        if (needed > back) end -= back;
      }
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
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
 * UTF-8 (ASCII included); CP949 when the sample decodes cleanly and is mostly Hangul
 * (the case that matters most to our users); chardet's best guess among encodings we
 * can decode; windows-1252 as the last resort, since it decodes any byte.
 * `complete` says the sample is the whole text (so a cut-off character is an error).
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): EncodingName {
  const bom = bomEncoding(sample);
  if (bom) return bom;
  if (isUtf8(sample, complete)) return 'utf-8';
  const asKorean = iconv.decode(Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength), 'cp949');
  // A sample cut inside a double-byte character leaves one U+FFFD at its very end.
  const trimmed = complete ? asKorean : asKorean.replace(/\uFFFD$/, '');
  if (!trimmed.includes('\uFFFD') && hangulShare(trimmed) > 0.5) return 'cp949';
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
  if (encoding === 'utf-8' || encoding === 'cp949') return true;
  // Single-byte guesses decode anything: require that most bytes are printable ASCII.
  let ascii = 0;
  for (const byte of sample) if (byte >= 0x20 && byte < 0x7f) ascii++;
  return ascii / sample.length > 0.7;
}
