// Example: a declared dataset through the typed client: a typed filter, ordering and
// an aggregate on the demo `sales` dataset (examples/bucketql.demo.json).
//   npx tsx examples/client/sales-in-city.ts 서울 [http://127.0.0.1:4000/graphql]
import { fileURLToPath } from 'node:url';
import { BucketqlClient } from './client.js';
import { SalesInCityDocument } from './gql/graphql.js';

export async function salesInCity(endpoint: string, city: string, minPrice?: number): Promise<string[]> {
  const client = new BucketqlClient(endpoint, process.env.BUCKETQL_TOKEN);
  const { sales, salesAggregate } = await client.request(SalesInCityDocument, { city, minPrice });
  const lines = [`${sales.totalCount} orders in ${city}${minPrice === undefined ? '' : ` at ${minPrice} or more`}; the latest:`];
  for (const { node } of sales.edges) {
    // Every field is typed from the column: unitPrice is a number, soldAt an ISO string.
    lines.push(
      `#${node.orderId} ${node.soldAt.slice(0, 10)} ${node.product} × ${node.quantity} at ${node.unitPrice.toFixed(2)}${node.paid ? '' : ' (unpaid)'}`,
    );
  }
  lines.push('by product:');
  for (const group of salesAggregate) {
    lines.push(
      `${group.key.product}: ${group.count} orders, ${group.sum.quantity} items, average price ${group.avg.unitPrice?.toFixed(2)}`,
    );
  }
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [city = '서울', endpoint = 'http://127.0.0.1:4000/graphql'] = process.argv.slice(2);
  salesInCity(endpoint, city).then(
    (lines) => console.log(lines.join('\n')),
    (error: unknown) => {
      console.error(String(error));
      process.exitCode = 1;
    },
  );
}
