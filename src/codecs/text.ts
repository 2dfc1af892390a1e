// Plain text: anything that decodes as text and has no more specific format.
import { BadUserInput } from '../errors.js';
import { decodeText, detectEncoding, resolveEncoding } from '../text/encoding.js';
import type { Codec } from './types.js';

export function decodeTextValue(bytes: Uint8Array, label: string | undefined): string {
  return decodeText(bytes, label ? resolveEncoding(label) : detectEncoding(bytes, true));
}

export const textCodec: Codec = {
  format: 'TEXT',
  extensions: ['.txt', '.text', '.md', '.markdown', '.log', '.yaml', '.yml', '.xml', '.html', '.htm', '.sql', '.ini', '.cfg', '.conf', '.toml', '.py', '.js', '.ts', '.sh', '.r', '.rst', '.svg', '.css'],
  contentType: 'text/plain; charset=utf-8',
  decodeValue: (bytes, options) => decodeTextValue(bytes, options.encoding),
  encode: (content) => {
    if (typeof content !== 'string') throw new BadUserInput('Text content must be a string (it is stored as UTF-8)');
    return Buffer.from(content, 'utf8');
  },
};
