// Creates a bucket by name; S3's naming rules are checked by the server, which says why.
import { useState } from 'preact/hooks';
import { request } from '../api/client.js';
import { type ApiError, asApiError } from '../api/errors.js';
import { CreateBucketDocument } from '../gql/graphql.js';
import { ErrorNotice } from './ErrorNotice.js';

export function CreateBucketForm({ onCreated }: { onCreated(name: string): void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  return (
    <form
      class="create-bucket"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          const created = await request(CreateBucketDocument, { name: name.trim() });
          setName('');
          onCreated(created.createBucket.name);
        } catch (failure) {
          setError(asApiError(failure));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label for="new-bucket">New bucket name</label>
      <input
        id="new-bucket"
        value={name}
        required
        aria-describedby="new-bucket-hint"
        pattern="[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <button type="submit" disabled={busy}>
        Create bucket
      </button>
      <span id="new-bucket-hint" class="muted">
        3–63 characters: lower-case letters, digits, dots and hyphens.
      </span>
      {error && <ErrorNotice error={error} doing="Creating the bucket" />}
    </form>
  );
}
