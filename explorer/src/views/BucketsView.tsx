// The start page: every bucket these credentials can list, and a form to create one
// (only when the server lets this explorer write).
import { useQuery } from '../api/useQuery.js';
import { useWriteAccess } from '../api/writeAccess.js';
import { Breadcrumbs } from '../components/Breadcrumbs.js';
import { CreateBucketForm } from '../components/CreateBucketForm.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Icon } from '../components/Icon.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import { formatLocalTime } from '../display.js';
import { BucketsDocument } from '../gql/graphql.js';
import { navigate, routeHref } from '../route.js';

/** Asked when there is no bucket to ask about: any name will do for a write check. */
const PROBE_BUCKET = 'bucketql-explorer-write-check';

export function BucketsView() {
  const buckets = useQuery(BucketsDocument, {});
  const list = buckets.data?.buckets ?? [];
  const access = useWriteAccess(buckets.data ? (list[0]?.name ?? PROBE_BUCKET) : null);
  return (
    <section aria-labelledby="page-title">
      <Breadcrumbs />
      <div class="title-row">
        <h1 id="page-title">Buckets</h1>
        <ShowQuery operation={{ document: BucketsDocument, variables: {} }} of="the bucket list" />
      </div>
      <Status>
        {buckets.loading ? 'Loading buckets…' : buckets.data ? `${list.length} ${list.length === 1 ? 'bucket' : 'buckets'}` : ''}
      </Status>
      {buckets.error && <ErrorNotice error={buckets.error} doing="Listing the buckets" />}
      {buckets.data && list.length === 0 && <p class="empty">There are no buckets these credentials can see.</p>}
      {list.length > 0 && (
        <ul class="bucket-list">
          {list.map((bucket) => (
            <li key={bucket.name}>
              <a href={routeHref({ name: 'folder', bucket: bucket.name, prefix: '' })}>
                <Icon name="bucket" />
                {bucket.name}
              </a>
              {bucket.createdAt && <span class="muted"> created {formatLocalTime(bucket.createdAt)}</span>}
            </li>
          ))}
        </ul>
      )}
      {access === 'allowed' && <CreateBucketForm onCreated={(name) => navigate({ name: 'folder', bucket: name, prefix: '' })} />}
    </section>
  );
}
