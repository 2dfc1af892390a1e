// Opaque cursors for row pages. A cursor names the table it belongs to (object,
// version and read options, as a digest), so one from another object or an older
// version is refused; unordered cursors carry the next row's index and, for
// line-based formats, the byte offset where it starts; ordered cursors carry the
// last row's sort key.
import { createHash } from 'node:crypto';
import { BadUserInput } from '../errors.js';

export interface PositionCursor {
  kind: 'position';
  /** Index of the next row to read. */
  next: number;
  /** Byte offset where row `next` starts, when the format can resume there. */
  offset?: number | undefined;
}

export interface OrderCursor {
  kind: 'order';
  /** Digest of the orderBy the page was read with. */
  order: string;
  /** The last row's sort key (typed values, DATETIME as epoch ms) and index. */
  key: (string | number | boolean | null)[];
  index: number;
}

export type RowCursor = PositionCursor | OrderCursor;

export function digest(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

interface Envelope {
  v: 1;
  t: string; // table digest
  c: RowCursor;
  h: string; // checksum of the rest
}

export function encodeCursor(table: string, cursor: RowCursor): string {
  const body = { v: 1 as const, t: table, c: cursor };
  const envelope: Envelope = { ...body, h: digest(body).slice(0, 8) };
  return Buffer.from(JSON.stringify(envelope)).toString('base64url');
}

export function decodeCursor(text: string, table: string): RowCursor {
  let envelope: Envelope;
  try {
    const bytes = Buffer.from(text, 'base64url');
    // Node's decoder skips characters it cannot use: only the canonical spelling is a cursor.
    if (bytes.toString('base64url') !== text) throw new Error('not canonical base64url');
    envelope = JSON.parse(bytes.toString('utf8')) as Envelope;
  } catch {
    throw new BadUserInput('Malformed cursor: pass `endCursor` from an earlier page as `after`');
  }
  if (
    typeof envelope !== 'object' ||
    envelope === null ||
    envelope.v !== 1 ||
    typeof envelope.c !== 'object' ||
    envelope.c === null ||
    digest({ v: envelope.v, t: envelope.t, c: envelope.c }).slice(0, 8) !== envelope.h
  ) {
    throw new BadUserInput('Malformed cursor: pass `endCursor` from an earlier page as `after`');
  }
  if (envelope.t !== table) {
    throw new BadUserInput(
      'This cursor belongs to another table, other read options, or an older version of this object: start again without `after`',
    );
  }
  const c = envelope.c;
  const validPosition =
    c.kind === 'position' &&
    Number.isSafeInteger(c.next) &&
    c.next >= 0 &&
    (c.offset === undefined || (Number.isSafeInteger(c.offset) && c.offset >= 0));
  const validOrder =
    c.kind === 'order' && typeof c.order === 'string' && Array.isArray(c.key) && Number.isSafeInteger(c.index) && c.index >= 0;
  if (!validPosition && !validOrder) throw new BadUserInput('Malformed cursor: pass `endCursor` from an earlier page as `after`');
  return c;
}
