// Responses that carry JSON already written as bytes (SerialisedJson: `content` of a
// table): yoga stringifies a result with `result.stringify` when it has one, and hands
// what it returns to the Response. For a plain JSON answer that is a stream of the
// pieces (the response's own text and each SerialisedJson's 1 MiB blocks, in order),
// one piece a read, with their total as Content-Length: a 13 MB answer is never copied
// into one Buffer (fresh pages cost about 15 µs a 4 KiB page on our machines, and the
// copy as much again). The stream is in object mode because whatwg-node's Response
// reads a byte stream with `read()`, which joins whatever the stream has read ahead
// into a new Buffer: every block would be copied once more. Every byte is written
// before the Response exists, so an error of the field is in the answer, never found
// after bytes are sent. Other media types (text/event-stream, multipart/mixed) put the
// text into a string of their own: they get one Buffer. A batch of results is joined
// as strings by yoga, so it keeps JSON.stringify (SerialisedJson parses back).
import { Readable } from 'node:stream';
import { type Plugin, processRegularResult } from 'graphql-yoga';
import { stringifyWithSerialised } from '../codecs/serialised-json.js';

export function serialisedJsonPlugin(): Plugin {
  /** Bytes of the streamed answers, by request, for their Content-Length. */
  const lengths = new WeakMap<Request, number>();
  return {
    onResultProcess({ request, result, resultProcessor }) {
      // A stream of results (subscriptions, @defer) is written by other processors.
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      const streamed = resultProcessor === processRegularResult;
      const stringify = (value: unknown): string | Buffer | Readable => {
        const out = stringifyWithSerialised(value);
        if (typeof out === 'string') return out;
        if (!streamed) return Buffer.concat(out.chunks);
        lengths.set(
          request,
          out.chunks.reduce((sum, chunk) => sum + chunk.length, 0),
        );
        // Object mode (Readable.from's default): a piece a read, none joined.
        return Readable.from(out.chunks);
      };
      (result as { stringify?: typeof stringify }).stringify = stringify;
    },
    onResponse({ request, response }) {
      const length = lengths.get(request);
      if (length !== undefined) response.headers.set('content-length', String(length));
    },
  };
}
