// A bucket's folder (a key prefix): its sub-folders and objects a page at a time,
// with uploads into it when the server allows writing.
import { useState } from 'preact/hooks';
import { useQuery } from '../api/useQuery.js';
import { useWriteAccess } from '../api/writeAccess.js';
import { Breadcrumbs } from '../components/Breadcrumbs.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Icon } from '../components/Icon.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import { UploadArea } from '../components/UploadArea.js';
import { formatBytes, formatLocalTime } from '../display.js';
import { FolderDocument, type FolderQuery } from '../gql/graphql.js';
import { routeHref } from '../route.js';

const PAGE_SIZE = 100;

type Listing = NonNullable<FolderQuery['bucket']>['objects'];

interface Props {
  bucket: string;
  prefix: string;
}

export function FolderView({ bucket, prefix }: Props) {
  // Pages already shown, and the cursor of the one being asked for. (The app gives
  // each folder its own FolderView, so these start empty for every folder.)
  const [earlier, setEarlier] = useState<Listing[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const variables = { bucket, ...(prefix ? { prefix } : {}), first: PAGE_SIZE, ...(after ? { after } : {}) };
  const page = useQuery(FolderDocument, variables);
  const access = useWriteAccess(bucket);

  const current = page.data?.bucket?.objects;
  // While a next page loads, the current one is already among the earlier ones; while
  // the first page reloads (after an upload), the stale one stays on screen.
  const pages = current && (!page.loading || after === null) ? [...earlier, current] : earlier;
  const folders = pages.flatMap((p) => p.prefixes);
  const objects = pages.flatMap((p) => p.edges.map((e) => e.node));
  const name = prefix ? prefix.slice(0, -1).split('/').pop() || prefix : bucket;

  const reloadFromStart = () => {
    if (after === null) page.reload();
    setEarlier([]);
    setAfter(null);
  };

  const listing = (
    <>
      {page.error && <ErrorNotice error={page.error} doing="Listing the folder" />}
      {page.data && !page.data.bucket && <p class="notice">There is no bucket named {bucket}.</p>}
      {(folders.length > 0 || objects.length > 0) && (
        <table class="listing">
          <caption class="visually-hidden">Contents of {prefix || bucket}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" class="numeric">
                Size
              </th>
              <th scope="col">Format</th>
              <th scope="col">Modified</th>
            </tr>
          </thead>
          <tbody>
            {folders.map((folder) => (
              <tr key={folder} class="folder">
                <td>
                  <a href={routeHref({ name: 'folder', bucket, prefix: folder })}>
                    <Icon name="folder" />
                    {folder.slice(prefix.length)}
                  </a>
                </td>
                <td class="numeric muted">—</td>
                <td class="muted">folder</td>
                <td />
              </tr>
            ))}
            {objects.map((object) => (
              <tr key={object.key}>
                <td>
                  <a href={routeHref({ name: 'object', bucket, key: object.key })}>
                    <Icon name="file" />
                    {object.key.slice(prefix.length)}
                  </a>
                </td>
                <td class="numeric">{formatBytes(object.size)}</td>
                <td>
                  {object.format}
                  {object.compression === 'GZIP' ? ' (gzip)' : ''}
                </td>
                <td>
                  <time dateTime={object.lastModified}>{formatLocalTime(object.lastModified)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current && !page.loading && folders.length === 0 && objects.length === 0 && <p class="empty">This folder is empty.</p>}
      {current?.pageInfo.hasNextPage && !page.loading && (
        <button
          type="button"
          class="more-rows"
          onClick={() => {
            setEarlier(pages);
            setAfter(current.pageInfo.endCursor ?? null);
          }}
        >
          More objects
        </button>
      )}
    </>
  );

  return (
    <section aria-labelledby="page-title">
      <Breadcrumbs bucket={bucket} path={prefix} />
      <div class="title-row">
        <h1 id="page-title">{name}</h1>
        <ShowQuery operation={{ document: FolderDocument, variables }} of="this folder" />
      </div>
      <Status>
        {page.loading
          ? 'Loading the folder…'
          : `${folders.length} ${folders.length === 1 ? 'folder' : 'folders'}, ${objects.length} ${objects.length === 1 ? 'object' : 'objects'}${current?.pageInfo.hasNextPage ? ' (more to load)' : ''}`}
      </Status>
      {access === 'allowed' ? (
        <UploadArea bucket={bucket} prefix={prefix} onUploaded={reloadFromStart}>
          {listing}
        </UploadArea>
      ) : (
        listing
      )}
    </section>
  );
}
