// PageInfo, shared by the object listing and table rows.
import type { Builder } from './builder.js';

export interface PageInfoShape {
  hasNextPage: boolean;
  endCursor: string | null;
}

export function addPaging(builder: Builder) {
  const PageInfo = builder.objectRef<PageInfoShape>('PageInfo').implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });
  return { PageInfo };
}
