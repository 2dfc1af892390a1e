// The token rule as a yoga plugin: with tokens configured, yoga runs nothing for a
// request without a valid `Authorization: Bearer <token>`, whatever its method,
// headers, path or the page negotiation. The router refuses such requests earlier
// (before reading their bodies); this guard is what makes the rule hold for every
// request that reaches GraphQL, however it got there.
import type { Plugin } from 'graphql-yoga';
import type { TokenCheck } from './auth.js';

export const UNAUTHENTICATED_MESSAGE = 'This bucketql server needs `Authorization: Bearer <token>`';

export function tokenGuardPlugin(tokens: TokenCheck): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (tokens.verify(request.headers.get('authorization') ?? undefined)) return;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] }), {
          status: 401,
          headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="bucketql"' },
        }),
      );
    },
  };
}
