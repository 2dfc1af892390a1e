// Which store the explorer is looking at, in the header: the embedded demo store (and
// its folder) or S3 (endpoint or region, and profile). Real buckets look like demo
// ones; uploads and deletes act on whatever this says.
import { useQuery } from '../api/useQuery.js';
import { StoreBannerDocument } from '../gql/graphql.js';

export function StoreBanner() {
  const { data } = useQuery(StoreBannerDocument, {});
  const store = data?.serverInfo.store;
  if (!store) return null;
  const embedded = store.kind === 'EMBEDDED';
  const label = embedded
    ? 'Embedded store (local demo data)'
    : `S3: ${store.endpoint ?? `AWS, ${store.region}`}${store.profile ? `, profile ${store.profile}` : ''}`;
  return (
    <p class={`store-banner ${embedded ? 'store-embedded' : 'store-s3'}`} title={store.summary} data-testid="store-banner">
      {label}
    </p>
  );
}
