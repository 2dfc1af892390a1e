// One object: its details and download link, delete (when writing is allowed), and
// its content in the views its format allows: table (with chart), tree, text.
import { useCallback } from 'preact/hooks';
import { useQuery } from '../api/useQuery.js';
import { useWriteAccess } from '../api/writeAccess.js';
import { Breadcrumbs } from '../components/Breadcrumbs.js';
import { DeleteObject } from '../components/DeleteObject.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { ObjectDetails } from '../components/ObjectDetails.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import { formatBytes, formatLocalTime } from '../display.js';
import { type Format, ObjectDetailsDocument } from '../gql/graphql.js';
import { navigate, type ObjectTab, parentPrefix, type Route, routeHref } from '../route.js';
import { TableView } from './TableView.js';
import { TextView } from './TextView.js';
import { TreeView } from './TreeView.js';

type ObjectRoute = Extract<Route, { name: 'object' }>;

/** The views each format has, the first one shown by default. (The chart lives in the table view.) */
const TABS: Record<Format, ObjectTab[]> = {
  CSV: ['table', 'text'],
  TSV: ['table', 'text'],
  XLSX: ['table'],
  JSON: ['table', 'tree'],
  NDJSON: ['table', 'tree'],
  PICKLE: ['table', 'tree'],
  PARQUET: ['table'],
  TEXT: ['text'],
  BINARY: [],
};

const TAB_LABELS: Record<ObjectTab, string> = { table: 'Table', chart: 'Table', tree: 'Tree', text: 'Text' };

export function ObjectView({ route }: { route: ObjectRoute }) {
  const { bucket, key } = route;
  const variables = { bucket, key };
  const details = useQuery(ObjectDetailsDocument, variables);
  const access = useWriteAccess(bucket);
  const object = details.data?.object;

  const tabs = object ? TABS[object.format] : [];
  const requested = route.tab === 'chart' ? 'table' : route.tab;
  const tab = requested && tabs.includes(requested) ? requested : tabs[0];
  const go = (change: Partial<ObjectRoute>, replace = false) => navigate({ ...route, ...change }, { replace });
  const toTree = useCallback(() => {
    // Only when nobody asked for the table: then "not a table" is an answer, not an error.
    if (!route.tab) navigate({ ...route, tab: 'tree' }, { replace: true });
  }, [route]);

  return (
    <section aria-labelledby="page-title">
      <Breadcrumbs bucket={bucket} path={key} />
      <div class="title-row">
        <h1 id="page-title">{key.slice(key.lastIndexOf('/') + 1) || key}</h1>
        {object && (
          <a class="button" href={object.downloadUrl} download={object.name}>
            Download
          </a>
        )}
        {object && access === 'allowed' && (
          <DeleteObject bucket={bucket} objectKey={key} onDeleted={() => navigate({ name: 'folder', bucket, prefix: parentPrefix(key) })} />
        )}
      </div>
      <Status>{details.loading ? 'Loading the object…' : ''}</Status>
      {details.error && <ErrorNotice error={details.error} doing="Reading the object" />}
      {details.data && !object && !details.data.bucket && (
        <p class="notice">
          There is no bucket <code>{bucket}</code>. <a href={routeHref({ name: 'buckets' })}>See the buckets</a>
        </p>
      )}
      {details.data && !object && details.data.bucket && (
        <p class="notice">
          There is no object <code>{key}</code> in bucket {bucket}.{' '}
          <a href={routeHref({ name: 'folder', bucket, prefix: parentPrefix(key) })}>Back to its folder</a>
        </p>
      )}
      {object && (
        <details class="object-details" open={tabs.length === 0}>
          <summary>
            Details{' '}
            <span class="muted">
              ({formatBytes(object.size)}, {object.format}
              {object.compression === 'GZIP' ? ' in gzip' : ''}, modified {formatLocalTime(object.lastModified)})
            </span>
          </summary>
          <ObjectDetails object={object} />
          <ShowQuery operation={{ document: ObjectDetailsDocument, variables }} of="the details" />
        </details>
      )}
      {object && tabs.length === 0 && <p class="muted">bucketql cannot show what is inside this object; download it instead.</p>}
      {tabs.length > 1 && (
        <nav class="tabs" aria-label="Views of the object">
          {tabs.map((t) => (
            <a key={t} href={routeHref({ ...route, tab: t })} aria-current={t === tab ? 'page' : undefined}>
              {TAB_LABELS[t]}
            </a>
          ))}
        </nav>
      )}
      {object && tab === 'table' && (
        <TableView
          key={`${route.sheet}\u0000${route.encoding}`}
          source={{
            bucket,
            key,
            ...(route.sheet !== undefined ? { sheet: route.sheet } : {}),
            ...(route.encoding ? { encoding: route.encoding } : {}),
          }}
          textual={object.format === 'CSV' || object.format === 'TSV'}
          chartOpen={route.tab === 'chart'}
          onToggleChart={(open) => go({ tab: open ? 'chart' : 'table' }, true)}
          onSheet={(sheet) => go({ sheet })}
          onEncoding={(encoding) => go({ encoding: encoding || undefined })}
          onNotTabular={toTree}
          view={{ sort: route.sort, filter: route.filter, where: route.where }}
          onViewChange={(view) => {
            if (view.sort !== route.sort || view.filter !== route.filter || view.where !== route.where)
              go({ sort: view.sort, filter: view.filter, where: view.where }, true);
          }}
        />
      )}
      {object && tab === 'tree' && <TreeView bucket={bucket} objectKey={key} />}
      {object && tab === 'text' && (
        <TextView
          bucket={bucket}
          objectKey={key}
          encoding={route.encoding}
          onEncoding={(encoding) => go({ encoding: encoding || undefined })}
        />
      )}
    </section>
  );
}
