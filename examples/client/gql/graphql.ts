/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** A file sent with the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec). */
  File: { input: File; output: File; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
  /** The `JSONObject` scalar type represents JSON objects as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
  /** The `SafeInt` scalar type represents non-fractional signed whole numeric values that are considered safe as defined by the ECMAScript specification. */
  SafeInt: { input: number; output: number; }
};

export type Bucket = {
  __typename?: 'Bucket';
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  object?: Maybe<S3Object>;
  /** Objects (and common prefixes) in key order, a page at a time. `first` is 1 to 1000. */
  objects: ObjectConnection;
};


export type BucketObjectArgs = {
  key: Scalars['String']['input'];
};


export type BucketObjectsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  delimiter?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  prefix?: InputMaybe<Scalars['String']['input']>;
};

export type Column = {
  __typename?: 'Column';
  index: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  nullable: Scalars['Boolean']['output'];
  type: ColumnType;
};

/** A column’s type, inferred from its leading rows. JSON: nested arrays/objects (JSON, NDJSON, pickle). */
export type ColumnType =
  | 'BOOLEAN'
  | 'DATETIME'
  | 'FLOAT'
  | 'INT'
  | 'JSON'
  | 'NULL'
  | 'STRING';

export type Compression =
  | 'GZIP'
  | 'NONE';

export type FilterOp =
  | 'CONTAINS'
  | 'ENDS_WITH'
  | 'EQ'
  | 'GT'
  | 'GTE'
  | 'IN'
  | 'IS_NOT_NULL'
  | 'IS_NULL'
  | 'LT'
  | 'LTE'
  | 'NE'
  | 'NOT_IN'
  | 'STARTS_WITH';

/** How an object is decoded, picked from its key’s extension (BINARY when unknown and not text). */
export type Format =
  | 'BINARY'
  | 'CSV'
  | 'JSON'
  | 'NDJSON'
  | 'PICKLE'
  | 'TEXT'
  | 'TSV'
  | 'XLSX';

export type Mutation = {
  __typename?: 'Mutation';
  copyObject: S3Object;
  createBucket: Bucket;
  createUploadUrl: PresignedRequest;
  /** True when something was deleted. */
  deleteObject: Scalars['Boolean']['output'];
  /** The keys deleted (those that existed). */
  deleteObjects: Array<Scalars['String']['output']>;
  /** Writes `content` encoded by the key’s extension (see the README for what each takes). */
  putObject: S3Object;
  /** Streams a file (GraphQL multipart request spec) to S3; multipart upload for large files. */
  uploadFile: S3Object;
};


export type MutationCopyObjectArgs = {
  from: ObjectRef;
  to: ObjectRef;
};


export type MutationCreateBucketArgs = {
  name: Scalars['String']['input'];
};


export type MutationCreateUploadUrlArgs = {
  bucket: Scalars['String']['input'];
  contentType?: InputMaybe<Scalars['String']['input']>;
  expiresIn?: InputMaybe<Scalars['Int']['input']>;
  key: Scalars['String']['input'];
};


export type MutationDeleteObjectArgs = {
  bucket: Scalars['String']['input'];
  key: Scalars['String']['input'];
};


export type MutationDeleteObjectsArgs = {
  bucket: Scalars['String']['input'];
  keys: Array<Scalars['String']['input']>;
};


export type MutationPutObjectArgs = {
  bucket: Scalars['String']['input'];
  content: Scalars['JSON']['input'];
  contentType?: InputMaybe<Scalars['String']['input']>;
  ifMatch?: InputMaybe<Scalars['String']['input']>;
  ifNoneMatch?: InputMaybe<Scalars['String']['input']>;
  key: Scalars['String']['input'];
};


export type MutationUploadFileArgs = {
  bucket: Scalars['String']['input'];
  contentType?: InputMaybe<Scalars['String']['input']>;
  file: Scalars['File']['input'];
  key: Scalars['String']['input'];
};

export type ObjectConnection = {
  __typename?: 'ObjectConnection';
  edges: Array<ObjectEdge>;
  pageInfo: PageInfo;
  /** Common prefixes ("folders") of this page, when `delimiter` is set. */
  prefixes: Array<Scalars['String']['output']>;
};

export type ObjectEdge = {
  __typename?: 'ObjectEdge';
  cursor: Scalars['String']['output'];
  node: S3Object;
};

export type ObjectRef = {
  bucket: Scalars['String']['input'];
  key: Scalars['String']['input'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** A presigned request: send `method` to `url` with exactly these `headers` before `expiresAt`. */
export type PresignedRequest = {
  __typename?: 'PresignedRequest';
  expiresAt: Scalars['DateTime']['output'];
  headers: Scalars['JSONObject']['output'];
  method: Scalars['String']['output'];
  url: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** The bucket, or null when it does not exist. */
  bucket?: Maybe<Bucket>;
  /** The buckets these credentials can list (only those BUCKETQL_BUCKETS allows). */
  buckets: Array<Bucket>;
  /** The object, or null when it (or its bucket) does not exist. */
  object?: Maybe<S3Object>;
  /** Several objects at once, in the order of `refs`; null where one does not exist. */
  objects: Array<Maybe<S3Object>>;
};


export type QueryBucketArgs = {
  name: Scalars['String']['input'];
};


export type QueryObjectArgs = {
  bucket: Scalars['String']['input'];
  key: Scalars['String']['input'];
};


export type QueryObjectsArgs = {
  refs: Array<ObjectRef>;
};

export type Row = {
  __typename?: 'Row';
  /** Typed values in column order. */
  cells: Array<Maybe<Scalars['JSON']['output']>>;
  /** 0-based position of the row in the table. */
  index: Scalars['Int']['output'];
  /** { column name: typed value } */
  values: Scalars['JSONObject']['output'];
};

export type RowConnection = {
  __typename?: 'RowConnection';
  edges: Array<RowEdge>;
  pageInfo: PageInfo;
  /** Rows matching `where` in the whole table (a full scan, unless cached). */
  totalCount: Scalars['Int']['output'];
};

export type RowEdge = {
  __typename?: 'RowEdge';
  cursor: Scalars['String']['output'];
  node: Row;
};

/** A condition on rows: `column` + `op` (+ `value`), and/or `and`, `or`, `not`. Several parts in one filter must all hold. */
export type RowFilter = {
  and?: InputMaybe<Array<RowFilter>>;
  column?: InputMaybe<Scalars['String']['input']>;
  /** String comparisons (EQ, NE, IN, NOT_IN, CONTAINS, STARTS_WITH, ENDS_WITH) ignore letter case. */
  ignoreCase?: InputMaybe<Scalars['Boolean']['input']>;
  not?: InputMaybe<RowFilter>;
  op?: InputMaybe<FilterOp>;
  or?: InputMaybe<Array<RowFilter>>;
  /** A value of the column’s type; a list for IN / NOT_IN; none for IS_NULL / IS_NOT_NULL. */
  value?: InputMaybe<Scalars['JSON']['input']>;
};

export type RowOrder = {
  column: Scalars['String']['input'];
  direction?: InputMaybe<SortDirection>;
};

/** An object in a bucket: its metadata, and its bytes decoded by format. */
export type S3Object = {
  __typename?: 'S3Object';
  bucket: Scalars['String']['output'];
  /** GZIP for `.gz` keys (`format` is then the inner extension’s). */
  compression: Compression;
  /** Decoded by format: tables as an array of row objects, JSON/pickle as their value, text as a string. */
  content?: Maybe<Scalars['JSON']['output']>;
  contentType?: Maybe<Scalars['String']['output']>;
  /** A presigned GET URL. */
  downloadUrl: Scalars['String']['output'];
  /** The ETag, without surrounding quotes. */
  etag: Scalars['String']['output'];
  /** From the extension; for unknown extensions, TEXT or BINARY from the first bytes. */
  format: Format;
  /** The parsed value of a JSON, NDJSON (as an array) or pickle object. */
  json?: Maybe<Scalars['JSON']['output']>;
  key: Scalars['String']['output'];
  lastModified: Scalars['DateTime']['output'];
  /** User metadata (x-amz-meta-*), {} when none. */
  metadata: Scalars['JSONObject']['output'];
  /** The last path segment of the key. */
  name: Scalars['String']['output'];
  /** Size in bytes, as stored. */
  size: Scalars['SafeInt']['output'];
  /** The object read as a typed table (CSV, TSV, XLSX, JSON arrays of objects, NDJSON, pickled tables). */
  table?: Maybe<Table>;
  /** The decoded text. The encoding is detected when omitted (UTF-8, BOMs, CP949/EUC-KR, ...). */
  text: Scalars['String']['output'];
};


/** An object in a bucket: its metadata, and its bytes decoded by format. */
export type S3ObjectDownloadUrlArgs = {
  expiresIn?: InputMaybe<Scalars['Int']['input']>;
};


/** An object in a bucket: its metadata, and its bytes decoded by format. */
export type S3ObjectTableArgs = {
  delimiter?: InputMaybe<Scalars['String']['input']>;
  encoding?: InputMaybe<Scalars['String']['input']>;
  format?: InputMaybe<Format>;
  header?: InputMaybe<Scalars['Boolean']['input']>;
  sheet?: InputMaybe<Scalars['String']['input']>;
};


/** An object in a bucket: its metadata, and its bytes decoded by format. */
export type S3ObjectTextArgs = {
  encoding?: InputMaybe<Scalars['String']['input']>;
};

export type SortDirection =
  | 'ASC'
  | 'DESC';

export type Table = {
  __typename?: 'Table';
  columns: Array<Column>;
  /** Rows matching `where` (all rows when omitted). */
  count: Scalars['Int']['output'];
  format: Format;
  /** Data rows (header excluded). */
  rowCount: Scalars['Int']['output'];
  /** A page of rows: `first` is 1 to 10000; `columns` picks (and orders) the columns returned. */
  rows: RowConnection;
  /** XLSX: the sheet read. */
  sheet?: Maybe<Scalars['String']['output']>;
  /** XLSX: every worksheet in workbook order; [] otherwise. */
  sheets: Array<Scalars['String']['output']>;
};


export type TableCountArgs = {
  where?: InputMaybe<RowFilter>;
};


export type TableRowsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  columns?: InputMaybe<Array<Scalars['String']['input']>>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<Array<RowOrder>>;
  where?: InputMaybe<RowFilter>;
};

export type ListObjectsQueryVariables = Exact<{
  bucket: Scalars['String']['input'];
  prefix?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ListObjectsQuery = { __typename?: 'Query', bucket?: { __typename?: 'Bucket', name: string, objects: { __typename?: 'ObjectConnection', prefixes: Array<string>, edges: Array<{ __typename?: 'ObjectEdge', cursor: string, node: { __typename?: 'S3Object', key: string, size: number, lastModified: string, format: Format, compression: Compression } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } } | null };

export type ReadTableQueryVariables = Exact<{
  bucket: Scalars['String']['input'];
  key: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  where?: InputMaybe<RowFilter>;
  orderBy?: InputMaybe<Array<RowOrder> | RowOrder>;
}>;


export type ReadTableQuery = { __typename?: 'Query', object?: { __typename?: 'S3Object', key: string, format: Format, table?: { __typename?: 'Table', rowCount: number, columns: Array<{ __typename?: 'Column', name: string, type: ColumnType, nullable: boolean }>, rows: { __typename?: 'RowConnection', totalCount: number, edges: Array<{ __typename?: 'RowEdge', node: { __typename?: 'Row', index: number, values: Record<string, unknown> } }> } } | null } | null };


export const ListObjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListObjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"prefix"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucket"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"objects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"prefix"},"value":{"kind":"Variable","name":{"kind":"Name","value":"prefix"}}},{"kind":"Argument","name":{"kind":"Name","value":"delimiter"},"value":{"kind":"StringValue","value":"/","block":false}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"prefixes"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"lastModified"}},{"kind":"Field","name":{"kind":"Name","value":"format"}},{"kind":"Field","name":{"kind":"Name","value":"compression"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ListObjectsQuery, ListObjectsQueryVariables>;
export const ReadTableDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReadTable"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"where"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RowFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RowOrder"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"object"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"bucket"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}}},{"kind":"Argument","name":{"kind":"Name","value":"key"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"format"}},{"kind":"Field","name":{"kind":"Name","value":"table"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"columns"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"nullable"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowCount"}},{"kind":"Field","name":{"kind":"Name","value":"rows"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"Variable","name":{"kind":"Name","value":"where"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"values"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReadTableQuery, ReadTableQueryVariables>;