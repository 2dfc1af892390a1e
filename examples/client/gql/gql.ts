/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ListObjects($bucket: String!, $prefix: String, $first: Int, $after: String) {\n  bucket(name: $bucket) {\n    name\n    objects(prefix: $prefix, delimiter: \"/\", first: $first, after: $after) {\n      prefixes\n      edges {\n        cursor\n        node {\n          key\n          size\n          lastModified\n          format\n          compression\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery ReadTable($bucket: String!, $key: String!, $first: Int, $where: RowFilter, $orderBy: [RowOrder!]) {\n  object(bucket: $bucket, key: $key) {\n    key\n    format\n    table {\n      columns {\n        name\n        type\n        nullable\n      }\n      rowCount\n      rows(first: $first, where: $where, orderBy: $orderBy) {\n        totalCount\n        edges {\n          node {\n            index\n            values\n          }\n        }\n      }\n    }\n  }\n}\n\nquery SalesInCity($city: String!, $minPrice: Float, $first: Int = 5) {\n  sales(\n    first: $first\n    where: {city: {eq: $city}, unitPrice: {gte: $minPrice}}\n    orderBy: [{column: soldAt, direction: DESC}]\n  ) {\n    totalCount\n    edges {\n      node {\n        orderId\n        soldAt\n        product\n        quantity\n        unitPrice\n        paid\n      }\n    }\n  }\n  salesAggregate(where: {city: {eq: $city}}, groupBy: [product]) {\n    key {\n      product\n    }\n    count\n    sum {\n      quantity\n    }\n    avg {\n      unitPrice\n    }\n    max {\n      soldAt\n    }\n  }\n}": typeof types.ListObjectsDocument,
};
const documents: Documents = {
    "query ListObjects($bucket: String!, $prefix: String, $first: Int, $after: String) {\n  bucket(name: $bucket) {\n    name\n    objects(prefix: $prefix, delimiter: \"/\", first: $first, after: $after) {\n      prefixes\n      edges {\n        cursor\n        node {\n          key\n          size\n          lastModified\n          format\n          compression\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery ReadTable($bucket: String!, $key: String!, $first: Int, $where: RowFilter, $orderBy: [RowOrder!]) {\n  object(bucket: $bucket, key: $key) {\n    key\n    format\n    table {\n      columns {\n        name\n        type\n        nullable\n      }\n      rowCount\n      rows(first: $first, where: $where, orderBy: $orderBy) {\n        totalCount\n        edges {\n          node {\n            index\n            values\n          }\n        }\n      }\n    }\n  }\n}\n\nquery SalesInCity($city: String!, $minPrice: Float, $first: Int = 5) {\n  sales(\n    first: $first\n    where: {city: {eq: $city}, unitPrice: {gte: $minPrice}}\n    orderBy: [{column: soldAt, direction: DESC}]\n  ) {\n    totalCount\n    edges {\n      node {\n        orderId\n        soldAt\n        product\n        quantity\n        unitPrice\n        paid\n      }\n    }\n  }\n  salesAggregate(where: {city: {eq: $city}}, groupBy: [product]) {\n    key {\n      product\n    }\n    count\n    sum {\n      quantity\n    }\n    avg {\n      unitPrice\n    }\n    max {\n      soldAt\n    }\n  }\n}": types.ListObjectsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ListObjects($bucket: String!, $prefix: String, $first: Int, $after: String) {\n  bucket(name: $bucket) {\n    name\n    objects(prefix: $prefix, delimiter: \"/\", first: $first, after: $after) {\n      prefixes\n      edges {\n        cursor\n        node {\n          key\n          size\n          lastModified\n          format\n          compression\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery ReadTable($bucket: String!, $key: String!, $first: Int, $where: RowFilter, $orderBy: [RowOrder!]) {\n  object(bucket: $bucket, key: $key) {\n    key\n    format\n    table {\n      columns {\n        name\n        type\n        nullable\n      }\n      rowCount\n      rows(first: $first, where: $where, orderBy: $orderBy) {\n        totalCount\n        edges {\n          node {\n            index\n            values\n          }\n        }\n      }\n    }\n  }\n}\n\nquery SalesInCity($city: String!, $minPrice: Float, $first: Int = 5) {\n  sales(\n    first: $first\n    where: {city: {eq: $city}, unitPrice: {gte: $minPrice}}\n    orderBy: [{column: soldAt, direction: DESC}]\n  ) {\n    totalCount\n    edges {\n      node {\n        orderId\n        soldAt\n        product\n        quantity\n        unitPrice\n        paid\n      }\n    }\n  }\n  salesAggregate(where: {city: {eq: $city}}, groupBy: [product]) {\n    key {\n      product\n    }\n    count\n    sum {\n      quantity\n    }\n    avg {\n      unitPrice\n    }\n    max {\n      soldAt\n    }\n  }\n}"): (typeof documents)["query ListObjects($bucket: String!, $prefix: String, $first: Int, $after: String) {\n  bucket(name: $bucket) {\n    name\n    objects(prefix: $prefix, delimiter: \"/\", first: $first, after: $after) {\n      prefixes\n      edges {\n        cursor\n        node {\n          key\n          size\n          lastModified\n          format\n          compression\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery ReadTable($bucket: String!, $key: String!, $first: Int, $where: RowFilter, $orderBy: [RowOrder!]) {\n  object(bucket: $bucket, key: $key) {\n    key\n    format\n    table {\n      columns {\n        name\n        type\n        nullable\n      }\n      rowCount\n      rows(first: $first, where: $where, orderBy: $orderBy) {\n        totalCount\n        edges {\n          node {\n            index\n            values\n          }\n        }\n      }\n    }\n  }\n}\n\nquery SalesInCity($city: String!, $minPrice: Float, $first: Int = 5) {\n  sales(\n    first: $first\n    where: {city: {eq: $city}, unitPrice: {gte: $minPrice}}\n    orderBy: [{column: soldAt, direction: DESC}]\n  ) {\n    totalCount\n    edges {\n      node {\n        orderId\n        soldAt\n        product\n        quantity\n        unitPrice\n        paid\n      }\n    }\n  }\n  salesAggregate(where: {city: {eq: $city}}, groupBy: [product]) {\n    key {\n      product\n    }\n    count\n    sum {\n      quantity\n    }\n    avg {\n      unitPrice\n    }\n    max {\n      soldAt\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;