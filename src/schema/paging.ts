// PageInfo, shared by the object listing, table rows and datasets: Relay's four fields.
// Paging is forward only (first/after): hasPreviousPage is true when `after` was given
// (the row or object it names, at least, comes before the page), as the Relay
// connection spec allows for forward paging; startCursor is the first edge's cursor.
import type { Builder } from './builder.js';

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** PageInfo of a forward page: its edges' cursors, whether more follow, and the `after` it was asked with. */
export function forwardPageInfo(
  page: { hasNextPage: boolean; endCursor: string | null; edges: readonly { cursor: string }[] },
  after: string | null | undefined,
): PageInfoShape {
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: after !== null && after !== undefined && after !== '',
    startCursor: page.edges[0]?.cursor ?? null,
    endCursor: page.endCursor,
  };
}

/** PageInfo, which every connection's `pageInfo` names. */
export function addPaging(builder: Builder): void {
  builder.objectType('PageInfo', {
    description: "Where a page is, as Relay's connection spec has it. Pages go forward only (`first`, `after`).",
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage', { description: 'More edges follow: pass `endCursor` as `after` for them.' }),
      hasPreviousPage: t.exposeBoolean('hasPreviousPage', {
        description: 'Edges come before this page: true when `after` was given, false on the first page.',
      }),
      startCursor: t.exposeString('startCursor', {
        nullable: true,
        description: "The first edge's cursor; null when the page has no edges.",
      }),
      endCursor: t.exposeString('endCursor', {
        nullable: true,
        description: 'Where the next page starts (pass it as `after`); null when the page has no edges.',
      }),
    }),
  });
}
