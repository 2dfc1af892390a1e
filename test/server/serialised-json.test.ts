// A JSON answer that holds JSON already written as bytes (`content` of a table) is sent
// as its pieces: the Response streams the response's own text and the value's blocks
// one after another, with their total as Content-Length, and never copies the value's
// bytes into one Buffer. Other media types (text/event-stream) get the same text.
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { JsonArrayWriter, type SerialisedJson } from '../../src/codecs/serialised-json.js';
import { serialisedJsonPlugin } from '../../src/server/serialised-json.js';

const ROWS = Array.from({ length: 30_000 }, (_, i) => ({ id: i, name: i % 5 === 0 ? `서울 "${i}"` : `user_${i}`, amount: i * 1.37 }));

function written(items: unknown[]): SerialisedJson {
  const writer = new JsonArrayWriter();
  for (const item of items) writer.push(item);
  return writer.finish();
}

function yogaWith(value: SerialisedJson) {
  return createYoga({
    schema: createSchema({
      typeDefs: 'scalar JSON type Query { content: JSON, name: String }',
      resolvers: { Query: { content: () => value, name: () => 'rows' } },
    }),
    plugins: [serialisedJsonPlugin()],
    logging: false,
  });
}

/** The body's chunks, read as a socket takes them: a turn of the event loop between reads (the stream reads ahead meanwhile). */
async function chunksOf(response: Response): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const ask = (accept: string) =>
  new Request('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query: '{ name content }' }),
  });

describe('a JSON answer with bytes written ahead', () => {
  it('streams the pieces as they are, with their total as Content-Length', async () => {
    const value = written(ROWS);
    expect(value.chunks.length).toBeGreaterThan(1);
    const response = await yogaWith(value).fetch(ask('application/json'));
    const chunks = await chunksOf(response);
    const body = Buffer.concat(chunks);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ data: { name: 'rows', content: ROWS } });
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // The value's blocks themselves (the same memory), not a copy of the whole answer.
    const sent = new Set(chunks.map((c) => c.buffer));
    for (const block of value.chunks) expect(sent.has(block.buffer)).toBe(true);
  });

  it('is the same text as a server-sent event', async () => {
    const response = await yogaWith(written(ROWS)).fetch(ask('text/event-stream'));
    const text = Buffer.concat(await chunksOf(response)).toString('utf8');
    const data = /event: next\ndata: (.*)\n\n/.exec(text)?.[1] ?? '';
    expect(JSON.parse(data)).toEqual({ data: { name: 'rows', content: ROWS } });
  });
});
