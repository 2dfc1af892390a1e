// Asked for when the server answers UNAUTHENTICATED: the bearer token it was started
// with (BUCKETQL_TOKENS). Kept for this tab only (sessionStorage).
import { useEffect, useRef, useState } from 'preact/hooks';
import { getToken } from '../api/auth.js';

interface Props {
  onToken(token: string): void;
}

export function TokenForm({ onToken }: Props) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // A token was sent and refused: say so rather than ask as if for the first time.
  const refused = getToken() !== null;
  useEffect(() => input.current?.focus(), []);
  return (
    <section class="token-form" aria-labelledby="token-title">
      <h2 id="token-title">This server needs a token</h2>
      <p role="alert">
        {refused
          ? 'The server did not accept the token. Ask whoever runs it for a valid one.'
          : 'It was started with access tokens (BUCKETQL_TOKENS). Enter yours to go on.'}{' '}
        It is kept in this browser tab only, and sent as <code>Authorization: Bearer</code>.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <label for="token-input">Token</label>
        <input
          id="token-input"
          ref={input}
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit">Use token</button>
      </form>
    </section>
  );
}
