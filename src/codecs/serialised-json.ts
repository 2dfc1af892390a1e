// A JSON value that is already JSON text, as UTF-8 bytes: what `content` of a table
// returns, written a batch of rows at a time while the rows are read, so that the
// answer holds bytes, not 100k row objects that live until the response is written.
// The GraphQL response puts the bytes in place (stringifyWithSerialised, used by the
// server's result stringifier); anything else that serialises it gets the parsed value.
import { Utf8Blocks } from './utf8-blocks.js';

/** JSON text in UTF-8, in pieces: their concatenation is one JSON value. */
export class SerialisedJson {
  constructor(readonly chunks: readonly Buffer[]) {}

  /** The value itself (JSON.stringify elsewhere than the response, tests): parsed back. */
  toJSON(): unknown {
    if (splicing) return splicing.placeholder(this);
    return JSON.parse(Buffer.concat(this.chunks).toString('utf8'));
  }
}

/** The stringify in progress: it puts a placeholder string where each SerialisedJson goes. */
let splicing: Splice | null = null;

class Splice {
  readonly values: SerialisedJson[] = [];
  /** Per call, so that no string in the data can be taken for a placeholder. */
  readonly mark = `bucketql-serialised-json-${crypto.randomUUID()}-`;
  placeholder(value: SerialisedJson): string {
    this.values.push(value);
    return `${this.mark}${this.values.length - 1}`;
  }
}

/**
 * JSON.stringify(value), with every SerialisedJson in it written as its own bytes:
 * a string when there is none (exactly JSON.stringify's), else the UTF-8 bytes of the
 * whole text as a SerialisedJson: the pieces between them and their own chunks, in
 * order, none copied.
 */
export function stringifyWithSerialised(value: unknown): string | SerialisedJson {
  const splice = new Splice();
  const outer = splicing;
  splicing = splice;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    splicing = outer;
  }
  if (splice.values.length === 0) return text;
  const quotedMark = `"${splice.mark}`;
  const parts: Buffer[] = [];
  const between = (from: number, to: number) => {
    if (to > from) parts.push(Buffer.from(text.slice(from, to), 'utf8'));
  };
  let from = 0;
  for (;;) {
    const at = text.indexOf(quotedMark, from);
    if (at === -1) break;
    const close = text.indexOf('"', at + quotedMark.length);
    const index = Number(text.slice(at + quotedMark.length, close));
    between(from, at);
    parts.push(...(splice.values[index] as SerialisedJson).chunks);
    from = close + 1;
  }
  between(from, text.length);
  return new SerialisedJson(parts);
}

/**
 * Items stringified at once: the text of 64 rows stays one flat string, which encodes to
 * UTF-8 quickly. The JSON of 700 rows at once (about 95,000 characters, two bytes each
 * with a Korean cell) took 4-8 times as long to encode as the same rows 64 at a time
 * (measured: 250-670 ms against 36-82 ms for 100k rows).
 */
const GROUP_ITEMS = 64;

/**
 * An array written as JSON while its items come: JSON.stringify of a few items at a
 * time, encoded into blocks of UTF-8. `finish` gives what JSON.stringify(items) would
 * have given, as bytes.
 */
export class JsonArrayWriter {
  private pending: unknown[] = [];
  private readonly out = new Utf8Blocks();
  private empty = true;

  push(item: unknown): void {
    this.pending.push(item);
    if (this.pending.length === GROUP_ITEMS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    // "[a,b]": its "[" opens the array or becomes the "," after the items before; its "]" is dropped.
    const { block, at } = this.out.write(JSON.stringify(this.pending));
    this.pending = [];
    this.out.drop(1);
    if (!this.empty) block[at] = 0x2c;
    this.empty = false;
  }

  finish(): SerialisedJson {
    this.flush();
    this.out.write(this.empty ? '[]' : ']');
    return new SerialisedJson(this.out.chunks());
  }
}
