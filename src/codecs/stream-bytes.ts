// A byte stream read to its end as one Buffer, for the readers that need a part or all
// of an object at once (a Parquet footer or column chunk, a ranged GET). Buffer.concat
// copies once; node:stream/consumers' buffer() goes through a Blob and copies twice.
import type { Readable } from 'node:stream';

/** Reads the stream to its end; destroys it when reading fails or stops early. */
export async function streamBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}
