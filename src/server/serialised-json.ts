// Responses that carry JSON already written as bytes (SerialisedJson: `content` of a
// table): yoga stringifies a result with `result.stringify` when it has one, and hands
// what it returns to the Response, which takes bytes as they are. A batch of results
// is joined as strings by yoga, so it keeps JSON.stringify (SerialisedJson parses back).
import type { Plugin } from 'graphql-yoga';
import { stringifyWithSerialised } from '../codecs/serialised-json.js';

export function serialisedJsonPlugin(): Plugin {
  return {
    onResultProcess({ result }) {
      // A stream of results (subscriptions, @defer) is written by other processors.
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      (result as { stringify?: (value: unknown) => string | Buffer }).stringify = stringifyWithSerialised;
    },
  };
}
