// Plain text: anything that decodes as text and has no more specific format.
import { BadUserInput } from '../errors.js';
import { decodeText, detectEncoding, resolveEncoding } from '../text/encoding.js';
import type { Codec } from './types.js';

export function decodeTextValue(bytes: Uint8Array, label: string | undefined): string {
  return decodeText(bytes, label ? resolveEncoding(label) : detectEncoding(bytes, true));
}

/** An unpaired UTF-16 surrogate: a JS string (and JSON) can hold one, UTF-8 cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as UTF-8 (an unpaired surrogate), or null when it can. */
export function notUtf8Storable(text: string): string | null {
  const lone = LONE_SURROGATE.exec(text);
  if (!lone) return null;
  return `an unpaired surrogate (U+${(lone[0].codePointAt(0) ?? 0).toString(16).toUpperCase()}) at index ${lone.index}, which UTF-8 cannot store`;
}

/** The string as UTF-8, refusing what UTF-8 cannot hold rather than writing U+FFFD in its place. */
export function encodeUtf8(text: string, what: string): Buffer {
  const problem = notUtf8Storable(text);
  if (problem) throw new BadUserInput(`${what} has ${problem}`);
  return Buffer.from(text, 'utf8');
}

export const textCodec: Codec = {
  format: 'TEXT',
  extensions: [
    '.txt',
    '.text',
    '.md',
    '.markdown',
    '.log',
    '.yaml',
    '.yml',
    '.xml',
    '.html',
    '.htm',
    '.sql',
    '.ini',
    '.cfg',
    '.conf',
    '.toml',
    '.py',
    '.js',
    '.ts',
    '.sh',
    '.r',
    '.rst',
    '.svg',
    '.css',
  ],
  contentType: 'text/plain; charset=utf-8',
  decodeValue: (bytes, options) => decodeTextValue(bytes, options.encoding),
  encode: (content) => {
    if (typeof content !== 'string') throw new BadUserInput('Text content must be a string (it is stored as UTF-8)');
    return encodeUtf8(content, 'Text content');
  },
};
