// What CSV/TSV decoding promises: RFC 4180 (csv-spectrum's cases among them), BOMs
// stripped, delimiters and encodings detected or given, multibyte characters intact
// however the bytes are chunked, and for every row the byte offset where the next
// one starts, so that a later page resumes with a ranged read and gets exactly the
// rows that follow. Broken quoting is DECODE_FAILED naming the row.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { csvCodec, encodeDelimited, guessDelimiter, readDelimited, tsvCodec } from '../../src/codecs/csv.js';
import type { ByteSource, TableReadOptions } from '../../src/codecs/types.js';
import type { BucketqlError } from '../../src/errors.js';
import { failure } from '../support/failure.js';
import { allValues, bufferSource, type CollectedTable, collect, cutSource, readWith, tableOf } from '../support/tables.js';

const read = (text: string | Buffer, options: Partial<TableReadOptions> = {}, chunkSize?: number) =>
  readWith(csvCodec, text, options, chunkSize);

function readFrom(source: ByteSource, options: Partial<TableReadOptions> = {}, formatDelimiter: string | null = null) {
  return collect(readDelimited(source, { header: true, ...options }, formatDelimiter));
}

/** Header and rows zipped into objects, cells as strings. */
function objects(table: CollectedTable): Record<string, unknown>[] {
  const header = table.header ?? [];
  return table.rows.map((row) => Object.fromEntries(header.map((name, i) => [name, (row as string[])[i]])));
}

/** Rows as a writer quoting every field would write them, with the byte offset where each starts. */
function quotedCsv(rows: string[][], newline: string, encode: (text: string) => Buffer = (t) => Buffer.from(t, 'utf8')) {
  const lines = rows.map((row) => `${row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')}${newline}`);
  const starts: number[] = [];
  let at = 0;
  const parts = lines.map((line) => {
    starts.push(at);
    const bytes = encode(line);
    at += bytes.length;
    return bytes;
  });
  return { bytes: Buffer.concat(parts), starts, end: at };
}

describe('csv-spectrum', () => {
  const root = join(createRequire(import.meta.url).resolve('csv-spectrum/package.json'), '..');
  const names = readdirSync(join(root, 'csvs')).map((f) => f.replace(/\.csv$/, ''));

  /**
   * The package's expected JSON, with its two known errata fixed
   * (https://github.com/max-mapper/csv-spectrum/issues/20 and /22): location_coordinates.json
   * is a single object rather than an array, and its phone number is not the CSV's.
   */
  function expected(name: string): Record<string, string>[] {
    const json = JSON.parse(readFileSync(join(root, 'json', `${name}.json`), 'utf8'));
    if (name !== 'location_coordinates') return json;
    expect(json['Contact Phone Number']).toBe('1234567890');
    return [{ ...json, 'Contact Phone Number': '2095257564' }];
  }

  it('has its twelve cases', () => {
    expect(names).toHaveLength(12);
  });

  it.each(names)('%s decodes to the expected rows', async (name) => {
    const bytes = readFileSync(join(root, 'csvs', `${name}.csv`));
    expect(objects(await read(bytes))).toEqual(expected(name));
    // The same, one byte at a time.
    expect(objects(await read(bytes, {}, 1))).toEqual(expected(name));
  });

  it.each(names)('%s reads as a typed table whose values spell the expected cells', async (name) => {
    const bytes = readFileSync(join(root, 'csvs', `${name}.csv`));
    const rows = await allValues(tableOf(bytes, { codec: csvCodec }));
    const spelled = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])));
    expect(spelled).toEqual(expected(name));
  });
});

describe('RFC 4180', () => {
  it('reads quoted delimiters, doubled quotes and line breaks inside quotes', async () => {
    const table = await read('a,b,c\n"x, y","say ""hi""","two\nlines"\n"","""",plain\n');
    expect(table.header).toEqual(['a', 'b', 'c']);
    expect(table.rows).toEqual([
      ['x, y', 'say "hi"', 'two\nlines'],
      ['', '"', 'plain'],
    ]);
  });

  it('reads CRLF line endings, and keeps CRLF inside quotes', async () => {
    const table = await read('a,b\r\n1,"x\r\ny"\r\n"q",2\r\n');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      ['1', 'x\r\ny'],
      ['q', '2'],
    ]);
  });

  it('reads mixed LF and CRLF line endings', async () => {
    const table = await read('a,b\r\n1,2\n3,4\r\n5,"6"\n7,8');
    expect(table.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
      ['7', '8'],
    ]);
  });

  it('keeps a carriage return that is inside quotes at the end of a row', async () => {
    expect((await read('a,b\r\n1,"x\r"\r\n2,"y\r"\n')).rows).toEqual([
      ['1', 'x\r'],
      ['2', 'y\r'],
    ]);
  });

  it('reads old Mac files whose lines end with CR alone', async () => {
    const table = await read('a,b\r1,"x\ry"\r2,3\r');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      ['1', 'x\ry'],
      ['2', '3'],
    ]);
  });

  it('skips blank lines, but keeps a row that is one quoted empty field', async () => {
    expect((await read('a\n\n1\r\n\r\n""\n2\n\n')).rows).toEqual([['1'], [''], ['2']]);
  });

  it('keeps spaces around values; a quote after a space is text', async () => {
    expect((await read('a,b,c\n x , "y" ,"z" \n')).rows).toEqual([[' x ', ' "y" ', 'z']]);
  });

  it('reads a last row without a line break', async () => {
    expect((await read('a,b\n1,2')).rows).toEqual([['1', '2']]);
    expect((await read('a,b\n1,"2"')).rows).toEqual([['1', '2']]);
  });

  it('reads an empty object as no header and no rows', async () => {
    const table = await read('');
    expect(table.header).toBeNull();
    expect(table.rows).toEqual([]);
  });

  it('strips a UTF-8 BOM, and counts it in the offsets', async () => {
    const text = '\uFEFFid,name\n1,가\n2,나\n';
    const table = await read(text);
    expect(table.header).toEqual(['id', 'name']);
    expect(table.dialect?.encoding).toBe('utf-8');
    const bytes = Buffer.from(text, 'utf8');
    expect(table.offsets).toEqual([bytes.indexOf('2,'), bytes.length]);
  });

  it('strips a BOM when the encoding is given too', async () => {
    expect((await read('\uFEFFid\n1\n', { encoding: 'utf-8' })).header).toEqual(['id']);
  });

  it('reads rows of different lengths as they are', async () => {
    expect((await read('a,b,c\n1\n1,2,3,4\n')).rows).toEqual([['1'], ['1', '2', '3', '4']]);
  });

  it('gives every row as data when there is no header', async () => {
    const table = await read('a,b\n1,2\n', { header: false });
    expect(table.header).toBeNull();
    expect(table.rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

describe('delimiters', () => {
  it('detects ; | and tab in .csv objects', async () => {
    expect((await read('a;b;c\n1;2,5;3\n')).rows).toEqual([['1', '2,5', '3']]);
    expect((await read('a|b\n1|2\n')).dialect?.delimiter).toBe('|');
    expect((await read('a\tb\n1\t2\n')).dialect?.delimiter).toBe('\t');
    expect((await read('a,b\n1,2\n')).dialect?.delimiter).toBe(',');
  });

  it('does not take a delimiter under which the quoting breaks', async () => {
    expect(guessDelimiter('"a ",a\r\n,"\t"\r\n,"\t"\r\n', true)).toBe(',');
    expect(guessDelimiter('"x;y",z\n"p;q",r\n', true)).toBe(',');
  });

  it('falls back to a comma for one-column files', async () => {
    expect((await read('name\nAlice; Bob\n')).dialect?.delimiter).toBe(',');
    expect(guessDelimiter('')).toBe(',');
  });

  it('detects the delimiter of a one-line file and of files with very long rows', async () => {
    expect((await read('a;b;c')).header).toEqual(['a', 'b', 'c']);
    const long = `a;b\n${`${'x'.repeat(20_000)};${'y'.repeat(20_000)}\n`.repeat(5)}`;
    expect((await read(long)).dialect?.delimiter).toBe(';');
  });

  it('takes an explicit delimiter, `\\t` spelled out included', async () => {
    expect((await read('a,b;c\n1,2;3\n', { delimiter: ';' })).rows).toEqual([['1,2', '3']]);
    expect((await read('a\tb\n1\t2\n', { delimiter: '\\t' })).rows).toEqual([['1', '2']]);
    expect((await read('a::b\n1::2\n', { delimiter: '::' })).rows).toEqual([['1', '2']]);
  });

  it('refuses delimiters that cannot be (empty, quotes, line breaks, longer than 4)', async () => {
    for (const delimiter of ['"', '\n', '\r', 'abcde', ';"']) {
      expect((await failure(read('a\n', { delimiter }))).extensions.code, JSON.stringify(delimiter)).toBe('BAD_USER_INPUT');
    }
  });

  it('TSV always splits on tabs, and keeps commas', async () => {
    const table = await readWith(tsvCodec, 'name\tnote\nKim\tyes, no\n');
    expect(table.dialect?.delimiter).toBe('\t');
    expect(table.rows).toEqual([['Kim', 'yes, no']]);
  });
});

describe('encodings', () => {
  const korean = 'id,이름,도시\n1,똠방각하,서울\n2,홍길동,부산\n';

  it('detects CP949/EUC-KR and decodes its full repertoire (똠)', async () => {
    const table = await read(iconv.encode(korean, 'cp949'));
    expect(table.dialect?.encoding).toBe('cp949');
    expect(table.header).toEqual(['id', '이름', '도시']);
    expect(table.rows).toEqual([
      ['1', '똠방각하', '서울'],
      ['2', '홍길동', '부산'],
    ]);
  });

  it('reads with a given encoding: euc-kr and cp949 alike, windows-1252', async () => {
    for (const encoding of ['euc-kr', 'EUC-KR', 'cp949', 'ks_c_5601-1987']) {
      expect((await read(iconv.encode(korean, 'cp949'), { encoding })).rows[0], encoding).toEqual(['1', '똠방각하', '서울']);
    }
    expect((await read(iconv.encode('name\ncafé\n', 'windows-1252'), { encoding: 'windows-1252' })).rows).toEqual([['café']]);
  });

  it('refuses an unknown encoding label', async () => {
    expect((await failure(read('a\n', { encoding: 'klingon' }))).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('gives CP949 rows byte offsets in CP949', async () => {
    const bytes = iconv.encode(korean, 'cp949');
    const table = await read(bytes);
    const second = iconv.encode('id,이름,도시\n1,똠방각하,서울\n', 'cp949').length;
    expect(table.offsets).toEqual([second, bytes.length]);
    const resumed = await read(bytes, { startOffset: second, encoding: 'cp949', delimiter: ',' });
    expect(resumed.rows).toEqual([['2', '홍길동', '부산']]);
  });
});

describe('multibyte characters split between chunks', () => {
  // Past the first 64 KiB (read whole, to detect the encoding), chunks are decoded as they come.
  const row = '1,"한글 ü 😀",서울\n';
  const text = `id,word,city\n${row.repeat(6000)}`;

  it('survive one-byte chunks (every character split at every boundary)', async () => {
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBeGreaterThan(2 * 64 * 1024);
    const whole = await read(bytes, {}, bytes.length);
    const split = await read(bytes, {}, 1);
    expect(split.rows).toEqual(whole.rows);
    expect(split.rows).toHaveLength(6000);
    expect(split.rows.every((r) => (r as string[])[1] === '한글 ü 😀' && (r as string[])[2] === '서울')).toBe(true);
    expect(split.offsets).toEqual(whole.offsets);
  });

  it('survive a cut at every byte of a character, in UTF-8 and CP949', async () => {
    for (const [encoding, sample] of [
      ['utf-8', '😀한'],
      ['cp949', '똠한'],
    ] as const) {
      const encode = (t: string) => (encoding === 'utf-8' ? Buffer.from(t, 'utf8') : iconv.encode(t, 'cp949'));
      const head = encode(`id,word\n${'1,가나다\n'.repeat(10_000)}`);
      const tail = encode(`2,${sample}\n`);
      const bytes = Buffer.concat([head, tail]);
      for (let cut = head.length; cut <= bytes.length; cut++) {
        const table = await readFrom(cutSource(bytes, [64 * 1024, cut]), { encoding });
        expect(table.rows.at(-1), `${encoding} cut at ${cut}`).toEqual(['2', sample]);
      }
    }
  });
});

describe('offsetAfter', () => {
  const cell = fc
    .array(fc.constantFrom('a', 'z', ',', '"', '\n', '\r', ' ', '한', '글', '😀'), { maxLength: 6 })
    .map((chars) => chars.join(''));

  it('is where the next row starts: a read resumed there gives exactly the rows that follow (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.tuple(fc.constant(width), fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 25 })),
          ),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 9 }),
        async ([width, rows], newline, chunkSize) => {
          const header = Array.from({ length: width }, (_, i) => `c${i}`);
          const { bytes, starts, end } = quotedCsv([header, ...rows], newline);
          const table = await read(bytes, { delimiter: ',' }, chunkSize);
          expect(table.rows).toEqual(rows);
          expect(table.offsets).toEqual(rows.map((_, i) => starts[i + 2] ?? end));
          for (let i = 0; i < rows.length; i++) {
            const resumed = await read(bytes, { startOffset: table.offsets[i] as number, encoding: 'utf-8', delimiter: ',' }, chunkSize);
            expect(resumed.header).toBeNull();
            expect(resumed.rows).toEqual(rows.slice(i + 1));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is exact over a large file read in many parses (CRLF, quoted line breaks, Korean, CP949 too)', async () => {
    const rows: string[][] = [];
    for (let i = 0; i < 40_000; i++) rows.push([String(i), i % 7 === 0 ? `줄\r\n바꿈 ${i}` : `값 "${i}"`, i % 3 === 0 ? '' : '서울,부산']);
    for (const encoding of ['utf-8', 'cp949'] as const) {
      const encode = (t: string) => (encoding === 'utf-8' ? Buffer.from(t, 'utf8') : iconv.encode(t, 'cp949'));
      const { bytes, starts, end } = quotedCsv([['id', 'text', 'cities'], ...rows], '\r\n', encode);
      expect(bytes.length).toBeGreaterThan(1024 * 1024);
      const table = await read(bytes, {}, 4096);
      expect(table.dialect?.encoding).toBe(encoding);
      expect(table.rows).toEqual(rows);
      expect(table.offsets).toEqual([...starts.slice(2), end]);
      const at = 31_337;
      const resumed = await read(bytes, { startOffset: table.offsets[at - 1] as number, encoding, delimiter: ',' });
      expect(resumed.rows).toEqual(rows.slice(at));
    }
  });

  it('is not given when the bytes did not all decode (offsets would be wrong)', async () => {
    const bytes = Buffer.concat([Buffer.from('a\n1\n'), Buffer.from([0xff, 0x0a]), Buffer.from('2\n')]);
    const table = await read(bytes, { encoding: 'utf-8' });
    expect(table.rows).toEqual([['1'], ['\uFFFD'], ['2']]);
    expect(table.offsets.slice(1)).toEqual([null, null]);
  });
});

describe('long rows', () => {
  it('reads a field longer than a parse (hundreds of thousands of characters)', async () => {
    const big = 'x'.repeat(700_000);
    const table = await read(`a,b\n1,"${big}"\n2,${big}\n3,z\n`, {}, 64 * 1024);
    expect(table.rows.map((r) => (r as string[])[0])).toEqual(['1', '2', '3']);
    expect((table.rows[0] as string[])[1]).toHaveLength(700_000);
    expect((table.rows[1] as string[])[1]).toHaveLength(700_000);
  }, 20_000);

  it('reads a record longer than a field scan (64 KiB) as field batches, as papaparse reads it', async () => {
    // A header of 16,000 columns (about 100 KB) and a row of as many cells, in chunks of 64 KiB.
    const names = Array.from({ length: 16_000 }, (_, i) => `c${i}`);
    const text = `${names.join(',')}
${names.map((_, i) => i).join(',')}
short,row
`;
    const source = bufferSource(Buffer.from(text), 64 * 1024);
    const events: string[] = [];
    let fields = 0;
    let header: string[] | null = null;
    for await (const event of readDelimited(source, { header: true, fieldBatches: true }, null)) {
      events.push(event.type);
      if (event.type === 'header') header = event.names;
      if (event.type === 'fields') fields += event.batch.rows;
    }
    expect(header).toEqual(names);
    expect(fields).toBe(2);
    expect(events).not.toContain('rows');
  }, 20_000);
});

describe('broken quoting', () => {
  it('an unterminated quote is DECODE_FAILED naming the row', async () => {
    const error = await failure(read('a,b\n1,x\n2,"open\n3,y\n'));
    expect(error.extensions.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/unterminated quoted field in row 3\b/);
    expect(error.extensions.row).toBe(3);
  });

  it('text after a closing quote is DECODE_FAILED naming the row', async () => {
    const error = await failure(read('a,b\n1,x\n2,"quoted"tail\n'));
    expect(error.extensions.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/row 3\b/);
  });

  it('an unterminated quote in a read resumed mid-file names where that row starts', async () => {
    const text = 'a,b\n1,x\n2,"open\n3,y\n';
    const error = await failure(read(text, { startOffset: 8, encoding: 'utf-8', delimiter: ',' }));
    expect(error.extensions.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/byte 8\b/);
    expect(error.extensions.byte).toBe(8);
  });

  it('a closing quote just before a chunk’s end is not an error (CRLF files read in any chunks)', async () => {
    // Cut the text at every phase of a row so that a parse ends between `"` and `\r`.
    // Rows of 11 characters, and 11 paddings of the header: one of them puts a closing
    // quote last in the first parse (which ends at the first cut past 256 Ki characters).
    const rows = Array.from({ length: 30_000 }, (_, i) => `${String(i).padStart(5, '0')},"v"\r\n`);
    for (let pad = 0; pad < 11; pad++) {
      const bytes = Buffer.from(`a,b${'x'.repeat(pad)}\r\n${rows.join('')}`);
      const table = await readFrom(
        cutSource(
          bytes,
          Array.from({ length: 400 }, (_, i) => 200_000 + i * 997),
        ),
      );
      expect(table.rows, `pad ${pad}`).toHaveLength(30_000);
    }
  }, 20_000);
});

describe('encodeDelimited', () => {
  it('writes a header and CRLF rows, quoting only when needed', () => {
    const bytes = encodeDelimited(
      [
        { a: 'x, y', b: 'say "hi"', c: 1 },
        { a: ' pad', b: null, c: true },
      ],
      '.csv',
      ',',
    );
    expect(bytes.toString('utf8')).toBe('a,b,c\r\n"x, y","say ""hi""",1\r\n" pad",,true\r\n');
  });

  it('writes every row of a long input in order, keys first seen late as columns (empty cells before)', () => {
    for (const count of [1, 63, 64, 65, 129, 20_000]) {
      const rows: Record<string, unknown>[] = Array.from({ length: count }, (_, i) => ({ n: i }));
      rows.push({ late: '서울' });
      const lines = ['n,late', ...rows.slice(0, count).map((_, i) => `${i},`), ',서울'];
      expect(encodeDelimited(rows, '.csv', ',').toString('utf8'), `${count} rows`).toBe(`${lines.join('\r\n')}\r\n`);
    }
  });

  it('refuses the first row (in order) with a cell UTF-8 cannot hold, however long the input', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ a: i === 4321 || i === 4900 ? 'x\uD800' : 'ok' }));
    expect(() => encodeDelimited(rows, '.csv', ',')).toThrow(/row 4321, column "a"/);
  });

  it('random tables survive encode → decode, values as strings (property)', async () => {
    const anyCell = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('', ' ', '"', '\r', '\n', ',', '\t', '한글', '😀'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z가-힣][a-z0-9 가-힣]{0,5}$/), { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(anyCell, { minLength: 4, maxLength: 4 }), { maxLength: 15 }),
        fc.constantFrom([csvCodec, ','] as const, [tsvCodec, '\t'] as const),
        async (columns, cells, [codec, delimiter]) => {
          const rows = cells.map((row) => row.slice(0, columns.length));
          const bytes = encodeDelimited({ columns, rows }, codec.extensions[0] as string, delimiter);
          const table = await readWith(codec, bytes, {}, 3);
          expect(table.header).toEqual(columns);
          expect(table.rows).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses content that is not rows (BAD_USER_INPUT)', () => {
    for (const content of [
      5,
      'text',
      [1, 2],
      { columns: ['a'], rows: [[1, 2]] },
      { columns: [1], rows: [] },
      { columns: ['a'], rows: [], extra: 1 },
    ]) {
      let error: unknown;
      try {
        encodeDelimited(content, '.csv', ',');
      } catch (e) {
        error = e;
      }
      expect((error as BucketqlError)?.extensions?.code, JSON.stringify(content)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('stopping early', () => {
  it('lets the stream go when the consumer stops', async () => {
    const source = bufferSource(Buffer.from(`a\n${'1\n'.repeat(100_000)}`), 1024);
    let streamDestroyed = false;
    const open = source.open.bind(source);
    source.open = async (start) => {
      const stream = await open(start);
      stream.on('close', () => {
        streamDestroyed = true;
      });
      return stream;
    };
    for await (const event of readDelimited(source, { header: true }, null)) if (event.type === 'rows') break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(streamDestroyed).toBe(true);
  });
});
