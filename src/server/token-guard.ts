// The token rule. checkToken is the guard the router runs before reading a body; as a
// yoga plugin, with tokens configured, yoga runs nothing for a request without a valid
// `Authorization: Bearer <token>`, whatever its method, headers, path or the page
// negotiation: the plugin is what makes the rule hold for every request that reaches
// GraphQL, however it got there.
import type { Plugin } from 'graphql-yoga';
import { isBucketqlError, Unauthenticated } from '../errors.js';
import type { TokenCheck } from './auth.js';
import { refusalOf } from './refusal.js';

export const UNAUTHENTICATED_MESSAGE = 'This bucketql server needs `Authorization: Bearer <token>`';

/** Throws Unauthenticated unless the Authorization header carries a token (or none is required). */
export function checkToken(tokens: TokenCheck, authorization: string | undefined, message = UNAUTHENTICATED_MESSAGE): void {
  if (!tokens.verify(authorization)) throw new Unauthenticated(message);
}

export function tokenGuardPlugin(tokens: TokenCheck): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      try {
        checkToken(tokens, request.headers.get('authorization') ?? undefined);
      } catch (error) {
        if (!isBucketqlError(error)) throw error;
        const refusal = refusalOf(error);
        endResponse(new fetchAPI.Response(refusal.body, { status: refusal.status, headers: refusal.headers }));
      }
    },
  };
}
