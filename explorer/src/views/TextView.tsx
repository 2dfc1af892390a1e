// An object as text, in the encoding the server detects or the one picked.
import { useQuery } from '../api/useQuery.js';
import { EncodingPicker } from '../components/EncodingPicker.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import { formatCount } from '../display.js';
import { ObjectTextDocument } from '../gql/graphql.js';

interface Props {
  bucket: string;
  objectKey: string;
  encoding: string | undefined;
  onEncoding(encoding: string): void;
}

export function TextView({ bucket, objectKey, encoding, onEncoding }: Props) {
  const variables = { bucket, key: objectKey, ...(encoding ? { encoding } : {}) };
  const text = useQuery(ObjectTextDocument, variables);
  const content = text.data?.object?.text;
  return (
    <section class="text-view" aria-label="Text">
      <div class="toolbar">
        <EncodingPicker value={encoding ?? ''} onChange={onEncoding} />
        <ShowQuery operation={{ document: ObjectTextDocument, variables }} of="the text" />
      </div>
      <Status>
        {text.loading
          ? 'Reading the text…'
          : content !== undefined
            ? `${formatCount(content.length)} characters, ${encoding ? `read as ${encoding}` : 'encoding detected by the server'}`
            : ''}
      </Status>
      {text.error && <ErrorNotice error={text.error} doing="Reading the text" />}
      {content !== undefined && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: long text scrolls; the keyboard must reach it.
        <pre class="text-content" tabIndex={0}>
          {content}
        </pre>
      )}
    </section>
  );
}
