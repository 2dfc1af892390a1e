// Deletes an object after an explicit second click: the first one only asks.
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api/client.js';
import { type ApiError, asApiError } from '../api/errors.js';
import { markForbidden } from '../api/writeAccess.js';
import { DeleteObjectDocument } from '../gql/graphql.js';
import { ErrorNotice } from './ErrorNotice.js';

interface Props {
  bucket: string;
  objectKey: string;
  onDeleted(): void;
}

export function DeleteObject({ bucket, objectKey, onDeleted }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const cancel = useRef<HTMLButtonElement>(null);
  // Focus goes to the safe choice, so that Enter twice does not delete.
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);

  const remove = async () => {
    setBusy(true);
    try {
      await request(DeleteObjectDocument, { bucket, key: objectKey });
      onDeleted();
    } catch (failure) {
      const apiError = asApiError(failure);
      if (apiError.code === 'FORBIDDEN') markForbidden(bucket);
      setError(apiError);
      setBusy(false);
      setAsking(false);
    }
  };

  return (
    <div class="delete-object">
      {asking ? (
        <fieldset class="confirm">
          <legend>
            Delete <strong>{objectKey}</strong> from {bucket}? This cannot be undone.
          </legend>
          <button type="button" class="danger" disabled={busy} onClick={remove}>
            Delete for good
          </button>{' '}
          <button type="button" ref={cancel} disabled={busy} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <button type="button" class="danger-outline" onClick={() => setAsking(true)}>
          Delete…
        </button>
      )}
      {error && <ErrorNotice error={error} doing="Deleting" />}
    </div>
  );
}
