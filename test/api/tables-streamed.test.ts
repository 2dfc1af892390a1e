// Typed tables through GraphQL with every table streamed: objects over 100 bytes are
// not cached whole, the sample is 5 rows, so pages resume at the byte offsets their
// cursors carry. The promises are the same as for cached tables (./table-behaviour.ts).
import { describeTables } from './table-behaviour.js';

describeTables('streamed tables', { BUCKETQL_CACHE_TABLE_BYTES: '100', BUCKETQL_INFER_ROWS: '5' });
