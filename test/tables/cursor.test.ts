// What row cursors promise: opaque text that names its table, carries the place to
// resume (the next row and its byte offset, or the last row's sort key), and is
// refused with BAD_USER_INPUT when it is damaged, made up, or from another table.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, digest, encodeCursor, type RowCursor } from '../../src/tables/cursor.js';
import { thrown } from '../support/failure.js';

const TABLE = digest('demo', 'sales.csv', 'etag-1', { header: true });
const MALFORMED = /^Malformed cursor: pass `endCursor` from an earlier page as `after`$/;

const refusal = (text: string, table = TABLE) => thrown(() => decodeCursor(text, table));

/** The JSON envelope inside a cursor, to forge variations of it. */
const envelopeOf = (text: string) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
const asCursor = (envelope: unknown) => Buffer.from(JSON.stringify(envelope)).toString('base64url');
/** An envelope with a checksum that fits its contents: only the validation after the checksum can refuse it. */
const sealed = (c: unknown, t = TABLE) => asCursor({ v: 1, t, c, h: digest({ v: 1, t, c }).slice(0, 8) });

describe('digest', () => {
  it('is 16 base64url characters, the same for the same parts and different for others', () => {
    expect(TABLE).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(digest('demo', 'sales.csv', 'etag-1', { header: true })).toBe(TABLE);
    expect(digest('demo', 'sales.csv', 'etag-2', { header: true })).not.toBe(TABLE);
    expect(digest('demo', 'sales.csv', 'etag-1', { header: false })).not.toBe(TABLE);
  });
});

describe('a cursor', () => {
  const cursors: [string, RowCursor][] = [
    ['a position', { kind: 'position', next: 100 }],
    ['a position with its byte offset', { kind: 'position', next: 100, offset: 4096 }],
    ['the first position', { kind: 'position', next: 0, offset: 0 }],
    [
      'an ordered place',
      { kind: 'order', order: digest([{ column: 'city', direction: 'ASC' }]), key: ['서울', 12.5, true, null], index: 7 },
    ],
  ];

  it.each(cursors)('decodes %s as it was encoded', (_, cursor) => {
    const text = encodeCursor(TABLE, cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, TABLE)).toEqual(cursor);
  });

  it('round-trips any position and any sort key of typed values', () => {
    const position = fc.record(
      { kind: fc.constant('position' as const), next: fc.nat(), offset: fc.nat() },
      { requiredKeys: ['kind', 'next'] },
    );
    const order = fc.record({
      kind: fc.constant('order' as const),
      order: fc.string(),
      key: fc.array(
        fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
      ),
      index: fc.nat(),
    });
    fc.assert(
      fc.property(fc.oneof(position, order), (cursor) => {
        // JSON has no -0: a sort key of -0 comes back as 0, which compares the same.
        expect(decodeCursor(encodeCursor(TABLE, cursor), TABLE)).toEqual(JSON.parse(JSON.stringify(cursor)));
      }),
    );
  });

  it('from another table, other options or an older version is refused, saying so', () => {
    const text = encodeCursor(TABLE, { kind: 'position', next: 5 });
    const error = refusal(text, digest('demo', 'sales.csv', 'etag-2', { header: true }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/belongs to another table, other read options, or an older version/);
  });

  it('that is not base64url, not canonical, not JSON or empty is malformed', () => {
    const good = encodeCursor(TABLE, { kind: 'position', next: 5 });
    for (const text of ['', 'nope!', `${good}=`, `${good} `, `${good}\n`, Buffer.from('{"v":1').toString('base64url'), 'bnVsbA']) {
      const error = refusal(text);
      expect(error.code, JSON.stringify(text)).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(MALFORMED);
    }
  });

  it('whose contents were changed without its checksum is malformed', () => {
    const envelope = envelopeOf(encodeCursor(TABLE, { kind: 'position', next: 5, offset: 100 }));
    for (const forged of [
      { ...envelope, c: { ...envelope.c, next: 6 } },
      { ...envelope, c: { ...envelope.c, offset: 0 } },
      { ...envelope, t: digest('other') },
      { ...envelope, v: 2 },
      { ...envelope, h: undefined },
    ]) {
      expect(refusal(asCursor(forged)).message, JSON.stringify(forged)).toMatch(MALFORMED);
    }
  });

  it('with a valid checksum but an impossible place is malformed', () => {
    for (const c of [
      { kind: 'position', next: -1 },
      { kind: 'position', next: 1.5 },
      { kind: 'position', next: '5' },
      { kind: 'position', next: 5, offset: -1 },
      { kind: 'position', next: 2 ** 53 },
      { kind: 'order', order: 'x', key: 'not a list', index: 0 },
      { kind: 'order', order: 'x', key: [], index: -1 },
      { kind: 'order', order: 7, key: [], index: 0 },
      { kind: 'elsewhere', next: 5 },
      [],
    ]) {
      expect(refusal(sealed(c)).message, JSON.stringify(c)).toMatch(MALFORMED);
    }
    // The same envelope with a possible place is taken: the checks above are on the place.
    expect(decodeCursor(sealed({ kind: 'position', next: 5 }), TABLE)).toEqual({ kind: 'position', next: 5 });
  });
});
