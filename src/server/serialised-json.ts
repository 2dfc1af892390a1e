// Responses that carry JSON already written as bytes (SerialisedJson: `content` of a
// table): yoga stringifies a result with `result.stringify` when it has one, and hands
// what it returns to the Response. For a plain JSON answer that is a Blob over the
// pieces (the response's own bytes and each SerialisedJson's blocks, in order): the
// Response streams them one after another with their total as Content-Length, so a
// 13 MB answer is never copied into one Buffer (fresh pages cost about 15 µs a 4 KiB
// page on our machines, and the copy as much again). Every byte is written before the
// Response exists, so an error of the field is in the answer, never found after bytes
// are sent. Other media types (text/event-stream, multipart/mixed) put the text into a
// string of their own: they get one Buffer. A batch of results is joined as strings by
// yoga, so it keeps JSON.stringify (SerialisedJson parses back).
import { type Plugin, processRegularResult } from 'graphql-yoga';
import { type SerialisedJson, stringifyWithSerialised } from '../codecs/serialised-json.js';

export function serialisedJsonPlugin(): Plugin {
  let Blob: typeof globalThis.Blob | undefined;
  /** The Response body of a JSON answer: the pieces as they are (whatwg-node's Blob keeps its parts, no copy). */
  const asBody = (value: unknown): string | Blob | Buffer => {
    const out = stringifyWithSerialised(value);
    if (typeof out === 'string') return out;
    // Blocks of Buffer.alloc*: never shared memory.
    return Blob ? new Blob(out.chunks as Buffer<ArrayBuffer>[]) : concat(out);
  };
  const asBuffer = (value: unknown): string | Buffer => {
    const out = stringifyWithSerialised(value);
    return typeof out === 'string' ? out : concat(out);
  };
  return {
    onYogaInit({ yoga }) {
      Blob = yoga.fetchAPI.Blob;
    },
    onResultProcess({ result, resultProcessor }) {
      // A stream of results (subscriptions, @defer) is written by other processors.
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      (result as { stringify?: (value: unknown) => string | Blob | Buffer }).stringify =
        resultProcessor === processRegularResult ? asBody : asBuffer;
    },
  };
}

function concat(value: SerialisedJson): Buffer {
  return Buffer.concat(value.chunks);
}
