// A typed query on a dataset (`sales` of the demo config), sent with fetch.
// After `npx graphql-codegen --config codegen.ts`:  npx tsx client.ts http://127.0.0.1:4000/graphql
import type { TypedDocumentString } from './gql/graphql.js';
import { graphql } from './gql/index.js';

const SalesInCity = graphql(`
  query SalesInCity($city: String!, $first: Int = 5) {
    sales(first: $first, where: { city: { eq: $city } }, orderBy: [{ column: soldAt, direction: DESC }]) {
      totalCount
      edges {
        node {
          orderId
          soldAt
          product
          unitPrice
        }
      }
    }
  }
`);

/** Runs one typed operation; GraphQL errors become an Error with their messages. */
export async function execute<Result, Variables>(
  url: string,
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as Result;
}

const url = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
const data = await execute(url, SalesInCity, { city: '서울', first: 3 });
for (const { node } of data.sales.edges) {
  const soldAt: string = node.soldAt; // DateTime → string (ISO-8601, UTC)
  const price: number = node.unitPrice;
  console.log(node.orderId, soldAt, node.product, price);
}
console.log(`${data.sales.totalCount} orders in 서울`);
