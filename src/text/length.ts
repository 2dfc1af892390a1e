// How many bytes a decoded text took in its encoding: used to turn parser
// positions (characters) back into byte offsets for ranged reads.
import iconv from 'iconv-lite';
import type { EncodingName } from './encoding.js';

const SINGLE_BYTE = /^(windows-125\d|iso-8859-\d+|koi8-[ru]|ibm866|macintosh|x-mac-cyrillic|windows-874)$/;
/** Stateless encodings whose text can be decoded from any character boundary. */
const RESUMABLE = new Set(['utf-8', 'cp949', 'shift_jis', 'euc-jp', 'gbk', 'gb18030', 'big5']);

export function supportsResume(encoding: EncodingName): boolean {
  return RESUMABLE.has(encoding) || SINGLE_BYTE.test(encoding);
}

export function encodedLength(text: string, encoding: EncodingName): number {
  if (encoding === 'utf-8') return Buffer.byteLength(text, 'utf8');
  if (SINGLE_BYTE.test(encoding)) return text.length;
  return iconv.encode(text, encoding).length;
}
