// A JSON, NDJSON or pickle object's value as a collapsible tree.
import { useQuery } from '../api/useQuery.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { JsonTree } from '../components/JsonTree.js';
import { ShowQuery } from '../components/ShowQuery.js';
import { Status } from '../components/Status.js';
import { ObjectJsonDocument } from '../gql/graphql.js';

export function TreeView({ bucket, objectKey }: { bucket: string; objectKey: string }) {
  const variables = { bucket, key: objectKey };
  const value = useQuery(ObjectJsonDocument, variables);
  return (
    <section class="tree-view" aria-label="Value">
      <div class="toolbar">
        <ShowQuery operation={{ document: ObjectJsonDocument, variables }} of="the value" />
      </div>
      <Status>{value.loading ? 'Reading the value…' : ''}</Status>
      {value.error && <ErrorNotice error={value.error} doing="Reading the value" />}
      {value.data?.object && (
        <div class="json-tree">
          <JsonTree value={value.data.object.json} />
        </div>
      )}
    </section>
  );
}
