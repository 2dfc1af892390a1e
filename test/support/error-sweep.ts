// The last check of a test file whose tests provoke errors: every error answer they
// saw carries one of the allowed codes and no stack frame, internal path, credential
// or stack field. A file collects its answers with `sweep.add` and calls
// `sweep.describe` once at its end.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { type GraphQLResponse, storeCredentials } from './app.js';

/** The codes an answer may carry: the contract's, and yoga's for documents that do not parse or validate. */
export const ANSWER_CODES: ReadonlySet<string> = new Set([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

export interface SweepRules {
  /** Fewer errors than this means the tests stopped provoking them: the sweep fails. */
  atLeast: number;
  /** The codes allowed (default: ANSWER_CODES). */
  codes?: Iterable<string>;
  /** More that must not show, beyond stacks, paths and the store's secret (an endpoint, the SDK's words). */
  alsoHidden?: RegExp;
}

export class ErrorSweep {
  readonly seen: GraphQLResponse[] = [];

  /** Keeps the answer when it carries errors. */
  add(answer: GraphQLResponse): void {
    if (answer.errors) this.seen.push(answer);
  }

  /** Registers the sweep as the file's last test. */
  describe(rules: SweepRules): void {
    const codes = new Set(rules.codes ?? ANSWER_CODES);
    describe('every error of this file', () => {
      it('carries an allowed code and no stack frame, internal path or credential', () => {
        const errors = this.seen.flatMap((answer) => answer.errors ?? []);
        expect(errors.length).toBeGreaterThanOrEqual(rules.atLeast);
        for (const error of errors) {
          const text = JSON.stringify(error);
          expect([...codes], text).toContain(error.extensions?.code);
          expect(text).not.toMatch(/\bat \S+ \(|\bat .+:\d+:\d+|\n\s+at /);
          expect(text).not.toMatch(/\/work\/|node_modules|\/home\/|\/tmp\//);
          if (rules.alsoHidden) expect(text).not.toMatch(rules.alsoHidden);
          expect(text).not.toContain(storeCredentials().secretAccessKey);
          expect(text).not.toMatch(/"stack(trace)?"\s*:/i);
        }
      });
    });
  }
}
