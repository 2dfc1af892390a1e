// The one table from extension to codec. Adding a format is adding its module and
// a line to CODECS. Keys are matched case-insensitively; a trailing `.gz` means
// gzip around the inner extension's format.
import { BadUserInput } from '../errors.js';
import { csvCodec, tsvCodec } from './csv.js';
import { jsonCodec } from './json.js';
import { ndjsonCodec } from './ndjson.js';
import { parquetCodec } from './parquet/index.js';
import { pickleCodec } from './pickle/index.js';

import { textCodec } from './text.js';
import type { Codec, Compression, Format } from './types.js';
import { xlsxCodec } from './xlsx.js';

export const CODECS: readonly Codec[] = [csvCodec, tsvCodec, xlsxCodec, jsonCodec, ndjsonCodec, pickleCodec, parquetCodec, textCodec];

const byExtension = new Map<string, Codec>(CODECS.flatMap((codec) => codec.extensions.map((ext) => [ext, codec] as const)));
const byFormat = new Map<Format, Codec>(CODECS.map((codec) => [codec.format, codec]));

/** Extensions that are surely not text: sniffing them would only waste a request. */
const BINARY_EXTENSIONS = new Set(
  '.png .jpg .jpeg .gif .webp .bmp .ico .tif .tiff .pdf .zip .tar .tgz .7z .rar .bz2 .xz .zst .avro .orc .feather .arrow .h5 .hdf5 .npy .npz .mp3 .mp4 .wav .mov .avi .mkv .webm .exe .dll .so .dylib .bin .class .jar .wasm .xls .doc .docx .ppt .pptx .ods .odt .sqlite .db'.split(
    ' ',
  ),
);

export interface KeyFormat {
  /** The format the key's extension names, or null when it names none (sniff the bytes). */
  format: Format | null;
  compression: Compression;
  /** The extension that decided the format (".csv"), or "" when none did. */
  extension: string;
}

/** The last extension of a key's last segment, lower-cased (".csv"), or "". */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

export function formatOfKey(key: string): KeyFormat {
  let name = key.slice(key.lastIndexOf('/') + 1);
  let compression: Compression = 'NONE';
  if (name.toLowerCase().endsWith('.gz')) {
    compression = 'GZIP';
    name = name.slice(0, -3);
  }
  const extension = extensionOf(name);
  const codec = byExtension.get(extension);
  if (codec) return { format: codec.format, compression, extension };
  if (BINARY_EXTENSIONS.has(extension)) return { format: 'BINARY', compression, extension };
  return { format: null, compression, extension };
}

export function codecOf(format: Format): Codec | null {
  return byFormat.get(format) ?? null;
}

/** The codec for writing a key, by its extension; text for every other extension. */
export function codecForWrite(key: string): { codec: Codec; compression: Compression } {
  const { format, compression } = formatOfKey(key);
  const codec = format && format !== 'BINARY' ? codecOf(format) : textCodec;
  if (!codec?.encode) throw new BadUserInput(`bucketql cannot encode ${format} content`);
  return { codec, compression };
}
