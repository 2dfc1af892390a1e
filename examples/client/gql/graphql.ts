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

export type AggregateGroup = {
  __typename?: 'AggregateGroup';
  /** { column: average } for the same columns as `sum`. */
  avg: Scalars['JSONObject']['output'];
  columns: Array<ColumnAggregate>;
  /** Rows in the group. */
  count: Scalars['Int']['output'];
  /** The group’s values of the groupBy columns ({} without groupBy). */
  key: Scalars['JSONObject']['output'];
  /** { column: largest value } for every aggregated column. */
  max: Scalars['JSONObject']['output'];
  /** { column: smallest value } for every aggregated column. */
  min: Scalars['JSONObject']['output'];
  /** { column: sum } for the aggregated INT and FLOAT columns not named like identifiers (as typed dataset aggregates have it). */
  sum: Scalars['JSONObject']['output'];
};

/** Conditions on a Boolean column; several conditions must all hold. A null cell matches only isNull: true. */
export type BooleanFilter = {
  eq?: InputMaybe<Scalars['Boolean']['input']>;
  /** true: the cell is empty; false: it is not. */
  isNull?: InputMaybe<Scalars['Boolean']['input']>;
  ne?: InputMaybe<Scalars['Boolean']['input']>;
};

export type BranchSalesAverages = {
  __typename?: 'BranchSalesAverages';
  bangmungaekSu?: Maybe<Scalars['Float']['output']>;
  maechulaek?: Maybe<Scalars['Float']['output']>;
  singyuGogaekBiyul?: Maybe<Scalars['Float']['output']>;
};

/** The columns of branchSales, for ordering and grouping. */
export type BranchSalesColumn =
  /** Column "방문객 수" */
  | 'bangmungaekSu'
  /** Column "지점" */
  | 'jijeom'
  /** Column "매출액" */
  | 'maechulaek'
  /** Column "신규 고객 비율" */
  | 'singyuGogaekBiyul'
  /** Column "월" */
  | 'wol';

export type BranchSalesConnection = {
  __typename?: 'BranchSalesConnection';
  edges: Array<BranchSalesEdge>;
  pageInfo: PageInfo;
  /** Rows matching `where` in the whole dataset. */
  totalCount: Scalars['Int']['output'];
};

export type BranchSalesEdge = {
  __typename?: 'BranchSalesEdge';
  cursor: Scalars['String']['output'];
  node: BranchSalesRow;
};

/** Conditions on rows of branchSales: every field given must hold; and/or/not combine filters. */
export type BranchSalesFilter = {
  and?: InputMaybe<Array<BranchSalesFilter>>;
  bangmungaekSu?: InputMaybe<IntFilter>;
  jijeom?: InputMaybe<StringFilter>;
  maechulaek?: InputMaybe<IntFilter>;
  not?: InputMaybe<BranchSalesFilter>;
  or?: InputMaybe<Array<BranchSalesFilter>>;
  singyuGogaekBiyul?: InputMaybe<FloatFilter>;
  wol?: InputMaybe<DateTimeFilter>;
};

export type BranchSalesGroup = {
  __typename?: 'BranchSalesGroup';
  avg: BranchSalesAverages;
  /** Rows in the group. */
  count: Scalars['Int']['output'];
  key: BranchSalesGroupKey;
  max: BranchSalesMaximums;
  min: BranchSalesMinimums;
  sum: BranchSalesSums;
};

/** The values of the groupBy columns (null for columns not grouped by). */
export type BranchSalesGroupKey = {
  __typename?: 'BranchSalesGroupKey';
  bangmungaekSu?: Maybe<Scalars['SafeInt']['output']>;
  jijeom?: Maybe<Scalars['String']['output']>;
  maechulaek?: Maybe<Scalars['SafeInt']['output']>;
  singyuGogaekBiyul?: Maybe<Scalars['Float']['output']>;
  wol?: Maybe<Scalars['DateTime']['output']>;
};

export type BranchSalesMaximums = {
  __typename?: 'BranchSalesMaximums';
  bangmungaekSu?: Maybe<Scalars['SafeInt']['output']>;
  maechulaek?: Maybe<Scalars['SafeInt']['output']>;
  singyuGogaekBiyul?: Maybe<Scalars['Float']['output']>;
  wol?: Maybe<Scalars['DateTime']['output']>;
};

export type BranchSalesMinimums = {
  __typename?: 'BranchSalesMinimums';
  bangmungaekSu?: Maybe<Scalars['SafeInt']['output']>;
  maechulaek?: Maybe<Scalars['SafeInt']['output']>;
  singyuGogaekBiyul?: Maybe<Scalars['Float']['output']>;
  wol?: Maybe<Scalars['DateTime']['output']>;
};

export type BranchSalesOrderBy = {
  column: BranchSalesColumn;
  direction?: InputMaybe<SortDirection>;
};

/** A row of the dataset branchSales (demo/branch-sales.csv). */
export type BranchSalesRow = {
  __typename?: 'BranchSalesRow';
  /** 0-based position of the row in the dataset. */
  _index: Scalars['Int']['output'];
  /** Every value, by original column name, as the generic table API returns it. */
  _values: Scalars['JSONObject']['output'];
  /** Column "방문객 수" (INT). */
  bangmungaekSu: Scalars['SafeInt']['output'];
  /** Column "지점" (STRING). */
  jijeom: Scalars['String']['output'];
  /** Revenue in won. Column "매출액" (INT). */
  maechulaek: Scalars['SafeInt']['output'];
  /** Share of first-time customers (0 to 1). Column "신규 고객 비율" (FLOAT). */
  singyuGogaekBiyul: Scalars['Float']['output'];
  /** Column "월" (DATETIME). */
  wol: Scalars['DateTime']['output'];
};

export type BranchSalesSums = {
  __typename?: 'BranchSalesSums';
  bangmungaekSu?: Maybe<Scalars['Float']['output']>;
  maechulaek?: Maybe<Scalars['Float']['output']>;
  singyuGogaekBiyul?: Maybe<Scalars['Float']['output']>;
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

/** One column of a group: values of its type counted (nulls and misfits are not), sum and avg for numbers, min and max. */
export type ColumnAggregate = {
  __typename?: 'ColumnAggregate';
  avg?: Maybe<Scalars['Float']['output']>;
  column: Scalars['String']['output'];
  count: Scalars['Int']['output'];
  max?: Maybe<Scalars['JSON']['output']>;
  min?: Maybe<Scalars['JSON']['output']>;
  sum?: Maybe<Scalars['Float']['output']>;
};

export type ColumnSummary = {
  __typename?: 'ColumnSummary';
  column: Scalars['String']['output'];
  /** Rows (matching `where`). */
  count: Scalars['Int']['output'];
  /** Distinct values; null when there are too many to count exactly. */
  distinct?: Maybe<Scalars['Int']['output']>;
  /** Equal-width bins over [min, max]; [] for columns that are not numbers or dates. */
  histogram: Array<HistogramBin>;
  /** True beyond 100,000 values: counts are then placed to within 1/4096 of the range. */
  histogramApproximate: Scalars['Boolean']['output'];
  max?: Maybe<Scalars['JSON']['output']>;
  min?: Maybe<Scalars['JSON']['output']>;
  /** Values that do not fit the column’s type (returned as written). */
  misfits: Scalars['Int']['output'];
  nulls: Scalars['Int']['output'];
  /** The most frequent values, most frequent first. */
  topValues: Array<ValueCount>;
  /** True when there were too many distinct values to count exactly: counts are then lower bounds. */
  topValuesApproximate: Scalars['Boolean']['output'];
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

/** Conditions on a DateTime column; several conditions must all hold. A null cell matches only isNull: true. */
export type DateTimeFilter = {
  eq?: InputMaybe<Scalars['DateTime']['input']>;
  gt?: InputMaybe<Scalars['DateTime']['input']>;
  gte?: InputMaybe<Scalars['DateTime']['input']>;
  in?: InputMaybe<Array<Scalars['DateTime']['input']>>;
  /** true: the cell is empty; false: it is not. */
  isNull?: InputMaybe<Scalars['Boolean']['input']>;
  lt?: InputMaybe<Scalars['DateTime']['input']>;
  lte?: InputMaybe<Scalars['DateTime']['input']>;
  ne?: InputMaybe<Scalars['DateTime']['input']>;
  notIn?: InputMaybe<Array<Scalars['DateTime']['input']>>;
};

export type EventsAverages = {
  __typename?: 'EventsAverages';
  amount?: Maybe<Scalars['Float']['output']>;
};

/** The columns of events, for ordering and grouping. */
export type EventsColumn =
  /** Column "amount" */
  | 'amount'
  /** Column "event" */
  | 'event'
  /** Column "source_file" */
  | 'source_file'
  /** Column "ts" */
  | 'ts'
  /** Column "user" */
  | 'user';

export type EventsConnection = {
  __typename?: 'EventsConnection';
  edges: Array<EventsEdge>;
  pageInfo: PageInfo;
  /** Rows matching `where` in the whole dataset. */
  totalCount: Scalars['Int']['output'];
};

export type EventsEdge = {
  __typename?: 'EventsEdge';
  cursor: Scalars['String']['output'];
  node: EventsRow;
};

/** Conditions on rows of events: every field given must hold; and/or/not combine filters. */
export type EventsFilter = {
  amount?: InputMaybe<FloatFilter>;
  and?: InputMaybe<Array<EventsFilter>>;
  event?: InputMaybe<StringFilter>;
  not?: InputMaybe<EventsFilter>;
  or?: InputMaybe<Array<EventsFilter>>;
  source_file?: InputMaybe<StringFilter>;
  ts?: InputMaybe<DateTimeFilter>;
  user?: InputMaybe<StringFilter>;
};

export type EventsGroup = {
  __typename?: 'EventsGroup';
  avg: EventsAverages;
  /** Rows in the group. */
  count: Scalars['Int']['output'];
  key: EventsGroupKey;
  max: EventsMaximums;
  min: EventsMinimums;
  sum: EventsSums;
};

/** The values of the groupBy columns (null for columns not grouped by). */
export type EventsGroupKey = {
  __typename?: 'EventsGroupKey';
  amount?: Maybe<Scalars['Float']['output']>;
  event?: Maybe<Scalars['String']['output']>;
  source_file?: Maybe<Scalars['String']['output']>;
  ts?: Maybe<Scalars['DateTime']['output']>;
  user?: Maybe<Scalars['String']['output']>;
};

export type EventsMaximums = {
  __typename?: 'EventsMaximums';
  amount?: Maybe<Scalars['Float']['output']>;
  ts?: Maybe<Scalars['DateTime']['output']>;
};

export type EventsMinimums = {
  __typename?: 'EventsMinimums';
  amount?: Maybe<Scalars['Float']['output']>;
  ts?: Maybe<Scalars['DateTime']['output']>;
};

export type EventsOrderBy = {
  column: EventsColumn;
  direction?: InputMaybe<SortDirection>;
};

/** A row of the dataset events (demo/logs/*). */
export type EventsRow = {
  __typename?: 'EventsRow';
  /** 0-based position of the row in the dataset. */
  _index: Scalars['Int']['output'];
  /** Every value, by original column name, as the generic table API returns it. */
  _values: Scalars['JSONObject']['output'];
  /** Column "amount" (FLOAT). */
  amount?: Maybe<Scalars['Float']['output']>;
  /** Column "event" (STRING). */
  event: Scalars['String']['output'];
  /** Column "source_file" (STRING). */
  source_file: Scalars['String']['output'];
  /** Column "ts" (DATETIME). */
  ts: Scalars['DateTime']['output'];
  /** Column "user" (STRING). */
  user: Scalars['String']['output'];
};

export type EventsSums = {
  __typename?: 'EventsSums';
  amount?: Maybe<Scalars['Float']['output']>;
};

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

/** Conditions on a Float column; several conditions must all hold. A null cell matches only isNull: true. */
export type FloatFilter = {
  eq?: InputMaybe<Scalars['Float']['input']>;
  gt?: InputMaybe<Scalars['Float']['input']>;
  gte?: InputMaybe<Scalars['Float']['input']>;
  in?: InputMaybe<Array<Scalars['Float']['input']>>;
  /** true: the cell is empty; false: it is not. */
  isNull?: InputMaybe<Scalars['Boolean']['input']>;
  lt?: InputMaybe<Scalars['Float']['input']>;
  lte?: InputMaybe<Scalars['Float']['input']>;
  ne?: InputMaybe<Scalars['Float']['input']>;
  notIn?: InputMaybe<Array<Scalars['Float']['input']>>;
};

/** How an object is decoded, picked from its key’s extension (BINARY when unknown and not text). */
export type Format =
  | 'BINARY'
  | 'CSV'
  | 'JSON'
  | 'NDJSON'
  | 'PARQUET'
  | 'PICKLE'
  | 'TEXT'
  | 'TSV'
  | 'XLSX';

/** Values from `from` (inclusive) to `to` (exclusive; inclusive for the last bin). Dates as ISO strings. */
export type HistogramBin = {
  __typename?: 'HistogramBin';
  count: Scalars['Int']['output'];
  from: Scalars['JSON']['output'];
  to: Scalars['JSON']['output'];
};

/** Conditions on an Int column; several conditions must all hold. A null cell matches only isNull: true. */
export type IntFilter = {
  eq?: InputMaybe<Scalars['SafeInt']['input']>;
  gt?: InputMaybe<Scalars['SafeInt']['input']>;
  gte?: InputMaybe<Scalars['SafeInt']['input']>;
  in?: InputMaybe<Array<Scalars['SafeInt']['input']>>;
  /** true: the cell is empty; false: it is not. */
  isNull?: InputMaybe<Scalars['Boolean']['input']>;
  lt?: InputMaybe<Scalars['SafeInt']['input']>;
  lte?: InputMaybe<Scalars['SafeInt']['input']>;
  ne?: InputMaybe<Scalars['SafeInt']['input']>;
  notIn?: InputMaybe<Array<Scalars['SafeInt']['input']>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  copyObject: S3Object;
  createBucket: Bucket;
  createUploadUrl: PresignedRequest;
  /** True when something was deleted. */
  deleteObject: Scalars['Boolean']['output'];
  /** The keys deleted (those that existed). */
  deleteObjects: Array<Scalars['String']['output']>;
  /** Writes `content` encoded by the key’s extension (see docs/writing.md for what each takes). */
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

/** Where a page is, as Relay's connection spec has it. Pages go forward only (`first`, `after`). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Where the next page starts (pass it as `after`); null when the page has no edges. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** More edges follow: pass `endCursor` as `after` for them. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Edges come before this page: true when `after` was given, false on the first page. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The first edge's cursor; null when the page has no edges. */
  startCursor?: Maybe<Scalars['String']['output']>;
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
  /** Monthly revenue and visitors per branch (demo/branch-sales.csv), with Korean column names. */
  branchSales: BranchSalesConnection;
  /** Counts and, per numeric or date column, sum/avg/min/max of branchSales, in groups (one group without groupBy). */
  branchSalesAggregate: Array<BranchSalesGroup>;
  /** The bucket, or null when it does not exist. */
  bucket?: Maybe<Bucket>;
  /** The buckets these credentials can list (only those BUCKETQL_BUCKETS allows). */
  buckets: Array<Bucket>;
  /** Event logs split by day under demo/logs/, read as one table. */
  events: EventsConnection;
  /** Counts and, per numeric or date column, sum/avg/min/max of events, in groups (one group without groupBy). */
  eventsAggregate: Array<EventsGroup>;
  /** The object, or null when it (or its bucket) does not exist. */
  object?: Maybe<S3Object>;
  /** Several objects at once, in the order of `refs`; null where one does not exist. */
  objects: Array<Maybe<S3Object>>;
  /** Orders of the demo shop (demo/sales.csv): one row an order. */
  sales: SalesConnection;
  /** Counts and, per numeric or date column, sum/avg/min/max of sales, in groups (one group without groupBy). */
  salesAggregate: Array<SalesGroup>;
  serverInfo: ServerInfo;
};


export type QueryBranchSalesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<Array<BranchSalesOrderBy>>;
  where?: InputMaybe<BranchSalesFilter>;
};


export type QueryBranchSalesAggregateArgs = {
  groupBy?: InputMaybe<Array<BranchSalesColumn>>;
  where?: InputMaybe<BranchSalesFilter>;
};


export type QueryBucketArgs = {
  name: Scalars['String']['input'];
};


export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<Array<EventsOrderBy>>;
  where?: InputMaybe<EventsFilter>;
};


export type QueryEventsAggregateArgs = {
  groupBy?: InputMaybe<Array<EventsColumn>>;
  where?: InputMaybe<EventsFilter>;
};


export type QueryObjectArgs = {
  bucket: Scalars['String']['input'];
  key: Scalars['String']['input'];
};


export type QueryObjectsArgs = {
  refs: Array<ObjectRef>;
};


export type QuerySalesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<Array<SalesOrderBy>>;
  where?: InputMaybe<SalesFilter>;
};


export type QuerySalesAggregateArgs = {
  groupBy?: InputMaybe<Array<SalesColumn>>;
  where?: InputMaybe<SalesFilter>;
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
  /** The decoded text. The encoding is detected when omitted (BOMs, UTF-8, CP949, Shift_JIS, EUC-JP, GB18030, Big5, ...). */
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

export type SalesAverages = {
  __typename?: 'SalesAverages';
  quantity?: Maybe<Scalars['Float']['output']>;
  unitPrice?: Maybe<Scalars['Float']['output']>;
};

/** The columns of sales, for ordering and grouping. */
export type SalesColumn =
  /** Column "city" */
  | 'city'
  /** Column "order_id" */
  | 'orderId'
  /** Column "paid" */
  | 'paid'
  /** Column "product" */
  | 'product'
  /** Column "quantity" */
  | 'quantity'
  /** Column "sold_at" */
  | 'soldAt'
  /** Column "unit_price" */
  | 'unitPrice'
  /** Column "zip_code" */
  | 'zipCode';

export type SalesConnection = {
  __typename?: 'SalesConnection';
  edges: Array<SalesEdge>;
  pageInfo: PageInfo;
  /** Rows matching `where` in the whole dataset. */
  totalCount: Scalars['Int']['output'];
};

export type SalesEdge = {
  __typename?: 'SalesEdge';
  cursor: Scalars['String']['output'];
  node: SalesRow;
};

/** Conditions on rows of sales: every field given must hold; and/or/not combine filters. */
export type SalesFilter = {
  and?: InputMaybe<Array<SalesFilter>>;
  city?: InputMaybe<StringFilter>;
  not?: InputMaybe<SalesFilter>;
  or?: InputMaybe<Array<SalesFilter>>;
  orderId?: InputMaybe<IntFilter>;
  paid?: InputMaybe<BooleanFilter>;
  product?: InputMaybe<StringFilter>;
  quantity?: InputMaybe<IntFilter>;
  soldAt?: InputMaybe<DateTimeFilter>;
  unitPrice?: InputMaybe<FloatFilter>;
  zipCode?: InputMaybe<StringFilter>;
};

export type SalesGroup = {
  __typename?: 'SalesGroup';
  avg: SalesAverages;
  /** Rows in the group. */
  count: Scalars['Int']['output'];
  key: SalesGroupKey;
  max: SalesMaximums;
  min: SalesMinimums;
  sum: SalesSums;
};

/** The values of the groupBy columns (null for columns not grouped by). */
export type SalesGroupKey = {
  __typename?: 'SalesGroupKey';
  city?: Maybe<Scalars['String']['output']>;
  orderId?: Maybe<Scalars['SafeInt']['output']>;
  paid?: Maybe<Scalars['Boolean']['output']>;
  product?: Maybe<Scalars['String']['output']>;
  quantity?: Maybe<Scalars['SafeInt']['output']>;
  soldAt?: Maybe<Scalars['DateTime']['output']>;
  unitPrice?: Maybe<Scalars['Float']['output']>;
  zipCode?: Maybe<Scalars['String']['output']>;
};

export type SalesMaximums = {
  __typename?: 'SalesMaximums';
  orderId?: Maybe<Scalars['SafeInt']['output']>;
  quantity?: Maybe<Scalars['SafeInt']['output']>;
  soldAt?: Maybe<Scalars['DateTime']['output']>;
  unitPrice?: Maybe<Scalars['Float']['output']>;
};

export type SalesMinimums = {
  __typename?: 'SalesMinimums';
  orderId?: Maybe<Scalars['SafeInt']['output']>;
  quantity?: Maybe<Scalars['SafeInt']['output']>;
  soldAt?: Maybe<Scalars['DateTime']['output']>;
  unitPrice?: Maybe<Scalars['Float']['output']>;
};

export type SalesOrderBy = {
  column: SalesColumn;
  direction?: InputMaybe<SortDirection>;
};

/** A row of the dataset sales (demo/sales.csv). */
export type SalesRow = {
  __typename?: 'SalesRow';
  /** 0-based position of the row in the dataset. */
  _index: Scalars['Int']['output'];
  /** Every value, by original column name, as the generic table API returns it. */
  _values: Scalars['JSONObject']['output'];
  /** Column "city" (STRING). */
  city: Scalars['String']['output'];
  /** The order's number. Column "order_id" (INT). */
  orderId: Scalars['SafeInt']['output'];
  /** Column "paid" (BOOLEAN). */
  paid: Scalars['Boolean']['output'];
  /** Column "product" (STRING). */
  product: Scalars['String']['output'];
  /** Column "quantity" (INT). */
  quantity: Scalars['SafeInt']['output'];
  /** When the order was paid (UTC). Column "sold_at" (DATETIME). */
  soldAt: Scalars['DateTime']['output'];
  /** Price of one item, in dollars. Column "unit_price" (FLOAT). */
  unitPrice: Scalars['Float']['output'];
  /** Delivery zip code (kept as text: leading zeros matter). Column "zip_code" (STRING). */
  zipCode: Scalars['String']['output'];
};

export type SalesSums = {
  __typename?: 'SalesSums';
  quantity?: Maybe<Scalars['Float']['output']>;
  unitPrice?: Maybe<Scalars['Float']['output']>;
};

/** What this server allows. */
export type ServerInfo = {
  __typename?: 'ServerInfo';
  /** BUCKETQL_MAX_OBJECT_BYTES: `text`, `json` and `content` of larger objects are PAYLOAD_TOO_LARGE. */
  maxObjectBytes: Scalars['SafeInt']['output'];
  /** BUCKETQL_MAX_UPLOAD_BYTES: larger uploads are refused. */
  maxUploadBytes: Scalars['SafeInt']['output'];
  /** BUCKETQL_READ_ONLY=1: every mutation is FORBIDDEN. */
  readOnly: Scalars['Boolean']['output'];
  /** Which store is in use. */
  store: Store;
  /** The bucketql version. */
  version: Scalars['String']['output'];
};

export type SortDirection =
  | 'ASC'
  | 'DESC';

/** The store this server reads and writes, as configured. Never holds a secret. */
export type Store = {
  __typename?: 'Store';
  /** Where the credentials come from, in words. */
  credentials: Scalars['String']['output'];
  /** The embedded store's folder. */
  dataDir?: Maybe<Scalars['String']['output']>;
  /** The endpoint requests go to; null for AWS's own. */
  endpoint?: Maybe<Scalars['String']['output']>;
  kind: StoreKind;
  /** The AWS profile the credentials come from, if any. */
  profile?: Maybe<Scalars['String']['output']>;
  /** Why this store is used (BUCKETQL_STORE, the AWS variable that is set, ...). */
  reason: Scalars['String']['output'];
  region: Scalars['String']['output'];
  /** One line for people, as the log says it. */
  summary: Scalars['String']['output'];
};

/** Where the buckets live. */
export type StoreKind =
  /** bucketql's embedded S3-compatible store (s3rver), in a local folder. */
  | 'EMBEDDED'
  /** AWS S3 or an S3-compatible store (MinIO, Ceph, ...). */
  | 'S3';

/** Conditions on a String column; several conditions must all hold. A null cell matches only isNull: true. */
export type StringFilter = {
  contains?: InputMaybe<Scalars['String']['input']>;
  endsWith?: InputMaybe<Scalars['String']['input']>;
  eq?: InputMaybe<Scalars['String']['input']>;
  gt?: InputMaybe<Scalars['String']['input']>;
  gte?: InputMaybe<Scalars['String']['input']>;
  /** Compare after Unicode lower-casing. */
  ignoreCase?: InputMaybe<Scalars['Boolean']['input']>;
  in?: InputMaybe<Array<Scalars['String']['input']>>;
  /** true: the cell is empty; false: it is not. */
  isNull?: InputMaybe<Scalars['Boolean']['input']>;
  lt?: InputMaybe<Scalars['String']['input']>;
  lte?: InputMaybe<Scalars['String']['input']>;
  ne?: InputMaybe<Scalars['String']['input']>;
  notIn?: InputMaybe<Array<Scalars['String']['input']>>;
  startsWith?: InputMaybe<Scalars['String']['input']>;
};

export type Table = {
  __typename?: 'Table';
  /** Row counts and, per column, count/sum/avg/min/max, in groups of `groupBy` (one group without it), in one streaming pass. `columns` defaults to every INT, FLOAT and DATETIME column. At most 10,000 groups. */
  aggregate: Array<AggregateGroup>;
  columns: Array<Column>;
  /** Rows matching `where` (all rows when omitted). */
  count: Scalars['Int']['output'];
  /** CSV/TSV: the text encoding the rows were read in (detected or given); null otherwise. */
  encoding?: Maybe<Scalars['String']['output']>;
  format: Format;
  /** Data rows (header excluded). */
  rowCount: Scalars['Int']['output'];
  /** A page of rows: `first` is 1 to 10000; `columns` picks (and orders) the columns returned. */
  rows: RowConnection;
  /** XLSX: the sheet read. */
  sheet?: Maybe<Scalars['String']['output']>;
  /** XLSX: every worksheet in workbook order; [] otherwise. */
  sheets: Array<Scalars['String']['output']>;
  /** One column over the whole table (or the rows matching `where`), in one streaming pass: counts, min, max, a histogram (numbers and dates; `bins` even, 2 to 200) and the most frequent values (`top`, 0 to 100). */
  summary: ColumnSummary;
};


export type TableAggregateArgs = {
  columns?: InputMaybe<Array<Scalars['String']['input']>>;
  groupBy?: InputMaybe<Array<Scalars['String']['input']>>;
  where?: InputMaybe<RowFilter>;
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


export type TableSummaryArgs = {
  bins?: InputMaybe<Scalars['Int']['input']>;
  column: Scalars['String']['input'];
  top?: InputMaybe<Scalars['Int']['input']>;
  where?: InputMaybe<RowFilter>;
};

export type ValueCount = {
  __typename?: 'ValueCount';
  count: Scalars['Int']['output'];
  value?: Maybe<Scalars['JSON']['output']>;
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

export type SalesInCityQueryVariables = Exact<{
  city: Scalars['String']['input'];
  minPrice?: InputMaybe<Scalars['Float']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type SalesInCityQuery = { __typename?: 'Query', sales: { __typename?: 'SalesConnection', totalCount: number, edges: Array<{ __typename?: 'SalesEdge', node: { __typename?: 'SalesRow', orderId: number, soldAt: string, product: string, quantity: number, unitPrice: number, paid: boolean } }> }, salesAggregate: Array<{ __typename?: 'SalesGroup', count: number, key: { __typename?: 'SalesGroupKey', product?: string | null }, sum: { __typename?: 'SalesSums', quantity?: number | null }, avg: { __typename?: 'SalesAverages', unitPrice?: number | null }, max: { __typename?: 'SalesMaximums', soldAt?: string | null } }> };


export const ListObjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListObjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"prefix"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucket"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"objects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"prefix"},"value":{"kind":"Variable","name":{"kind":"Name","value":"prefix"}}},{"kind":"Argument","name":{"kind":"Name","value":"delimiter"},"value":{"kind":"StringValue","value":"/","block":false}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"prefixes"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"lastModified"}},{"kind":"Field","name":{"kind":"Name","value":"format"}},{"kind":"Field","name":{"kind":"Name","value":"compression"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ListObjectsQuery, ListObjectsQueryVariables>;
export const ReadTableDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReadTable"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"where"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RowFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RowOrder"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"object"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"bucket"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}}},{"kind":"Argument","name":{"kind":"Name","value":"key"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"format"}},{"kind":"Field","name":{"kind":"Name","value":"table"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"columns"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"nullable"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowCount"}},{"kind":"Field","name":{"kind":"Name","value":"rows"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"Variable","name":{"kind":"Name","value":"where"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"values"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReadTableQuery, ReadTableQueryVariables>;
export const SalesInCityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SalesInCity"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"city"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"minPrice"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Float"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sales"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"city"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"eq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"city"}}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"unitPrice"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"gte"},"value":{"kind":"Variable","name":{"kind":"Name","value":"minPrice"}}}]}}]}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"ListValue","values":[{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"column"},"value":{"kind":"EnumValue","value":"soldAt"}},{"kind":"ObjectField","name":{"kind":"Name","value":"direction"},"value":{"kind":"EnumValue","value":"DESC"}}]}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"soldAt"}},{"kind":"Field","name":{"kind":"Name","value":"product"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"}},{"kind":"Field","name":{"kind":"Name","value":"paid"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"salesAggregate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"city"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"eq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"city"}}}]}}]}},{"kind":"Argument","name":{"kind":"Name","value":"groupBy"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"product"}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"}}]}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"sum"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"avg"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unitPrice"}}]}},{"kind":"Field","name":{"kind":"Name","value":"max"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"soldAt"}}]}}]}}]}}]} as unknown as DocumentNode<SalesInCityQuery, SalesInCityQueryVariables>;