// Example: list the demo bucket and read its CSV as typed rows, with the client
// generated from schema/schema.graphql. Run against a server started with `npm start`:
//   npx tsx examples/client/list-demo.ts [http://127.0.0.1:4000/graphql]
import { fileURLToPath } from 'node:url';
import { BucketqlClient } from './client.js';
import { ListObjectsDocument, ReadTableDocument } from './gql/graphql.js';

export async function listDemo(endpoint: string, bucket = 'demo', key = 'sales.csv'): Promise<string[]> {
  const client = new BucketqlClient(endpoint, process.env.BUCKETQL_TOKEN);
  const lines: string[] = [];

  const listing = await client.request(ListObjectsDocument, { bucket, first: 100 });
  for (const edge of listing.bucket?.objects.edges ?? []) {
    // `edge.node.format` is typed as the Format enum's union of strings.
    lines.push(`${edge.node.key}\t${edge.node.size} bytes\t${edge.node.format}`);
  }

  const read = await client.request(ReadTableDocument, {
    bucket,
    key,
    first: 3,
    orderBy: [{ column: 'unit_price', direction: 'DESC' }],
  });
  const table = read.object?.table;
  if (table) {
    lines.push(`${key}: ${table.rowCount} rows; columns ${table.columns.map((c) => `${c.name}:${c.type}`).join(', ')}`);
    for (const edge of table.rows.edges) lines.push(JSON.stringify(edge.node.values));
  }
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const endpoint = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
  listDemo(endpoint).then(
    (lines) => console.log(lines.join('\n')),
    (error: unknown) => {
      console.error(String(error));
      process.exitCode = 1;
    },
  );
}
