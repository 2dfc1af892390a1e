// The generated client knows each dataset column's type: this file does not compile
// (npm run typecheck) when a column's type in the schema is not the one asserted here.
import { describe, expectTypeOf, it } from 'vitest';
import type { SalesInCityQuery, SalesInCityQueryVariables } from '../../examples/client/gql/graphql.js';

type SalesNode = SalesInCityQuery['sales']['edges'][number]['node'];
type SalesGroup = SalesInCityQuery['salesAggregate'][number];

describe('the generated types of the demo sales dataset', () => {
  it('carry each column’s type', () => {
    expectTypeOf<SalesNode['orderId']>().toEqualTypeOf<number>();
    expectTypeOf<SalesNode['soldAt']>().toEqualTypeOf<string>();
    expectTypeOf<SalesNode['product']>().toEqualTypeOf<string>();
    expectTypeOf<SalesNode['quantity']>().toEqualTypeOf<number>();
    expectTypeOf<SalesNode['unitPrice']>().toEqualTypeOf<number>();
    expectTypeOf<SalesNode['paid']>().toEqualTypeOf<boolean>();
    // @ts-expect-error unitPrice is a number, not a string
    const price: string = ({} as SalesNode).unitPrice;
    void price;
  });

  it('type the filter variables and the aggregates', () => {
    expectTypeOf<SalesInCityQueryVariables['city']>().toEqualTypeOf<string>();
    expectTypeOf<SalesInCityQueryVariables['minPrice']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<SalesGroup['count']>().toEqualTypeOf<number>();
    expectTypeOf<SalesGroup['sum']['quantity']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<SalesGroup['max']['soldAt']>().toEqualTypeOf<string | null | undefined>();
  });
});
