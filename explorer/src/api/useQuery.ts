// A hook that runs one typed query for a component and re-runs it when its variables
// change; a newer request cancels the one before, so an old answer never wins.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { TypedDocumentString } from '../gql/graphql.js';
import { request } from './client.js';
import { type ApiError, asApiError, isAbort } from './errors.js';

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Runs the query again (after a change made through the explorer). */
  reload(): void;
}

/** Skips the request while `variables` is null. */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables | null,
): QueryState<TResult> {
  const [state, setState] = useState<{ data?: TResult; error?: ApiError; loading: boolean }>({ loading: variables !== null });
  const [generation, setGeneration] = useState(0);
  const key = variables === null ? null : JSON.stringify(variables);

  // `key` stands for `variables`, a new object on every render.
  useEffect(() => {
    if (variables === null) return;
    const controller = new AbortController();
    setState((previous) => ({ data: previous.data, loading: true }));
    request(document, variables, controller.signal).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ error: asApiError(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [document, key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
