// An object's metadata as a definition list: size, format, type, modified, ETag, user metadata.
import { formatBytes, formatLocalTime } from '../display.js';
import type { ObjectDetailsQuery } from '../gql/graphql.js';

type Details = NonNullable<ObjectDetailsQuery['object']>;

export function ObjectDetails({ object }: { object: Details }) {
  const metadata = Object.entries(object.metadata);
  return (
    <dl class="details">
      <dt>Size</dt>
      <dd>
        {formatBytes(object.size)} <span class="muted">({object.size.toLocaleString()} bytes)</span>
      </dd>
      <dt>Format</dt>
      <dd>
        {object.format}
        {object.compression === 'GZIP' ? ', gzip-compressed' : ''}
      </dd>
      <dt>Content type</dt>
      <dd>{object.contentType ?? <span class="muted">none</span>}</dd>
      <dt>Modified</dt>
      <dd>
        <time dateTime={object.lastModified}>{formatLocalTime(object.lastModified)}</time>
      </dd>
      <dt>ETag</dt>
      <dd>
        <code>{object.etag}</code>
      </dd>
      <dt>User metadata</dt>
      <dd>
        {metadata.length === 0 ? (
          <span class="muted">none</span>
        ) : (
          <ul class="metadata">
            {metadata.map(([name, value]) => (
              <li key={name}>
                <code>{name}</code>: {String(value)}
              </li>
            ))}
          </ul>
        )}
      </dd>
    </dl>
  );
}
