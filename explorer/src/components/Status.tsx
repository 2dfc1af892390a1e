// A polite live region: screen readers hear "Loading…" and "200 rows" as they change.
// It is always rendered, even empty, so that changes to it are announced.
import type { ComponentChildren } from 'preact';

export function Status({ children }: { children?: ComponentChildren }) {
  return (
    <p class="status" role="status" aria-live="polite">
      {children}
    </p>
  );
}
