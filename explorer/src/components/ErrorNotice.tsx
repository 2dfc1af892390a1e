// A failed request in plain words, with the API's code for those who want to look it up.
import { type ApiError, plainWords } from '../api/errors.js';

interface Props {
  error: ApiError;
  /** What was being done, e.g. "Reading the table". */
  doing?: string;
}

export function ErrorNotice({ error, doing }: Props) {
  return (
    <div class="notice notice-error" role="alert">
      <p>
        <strong>{doing ? `${doing} failed: ` : ''}</strong>
        {plainWords(error.code)}
      </p>
      <p class="notice-detail">
        <span class="error-message">{error.message}</span> <code class="error-code">{error.code}</code>
      </p>
    </div>
  );
}
