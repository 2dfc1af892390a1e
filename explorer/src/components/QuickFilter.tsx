// The box labelled "Filter": a plain value to look for in every column that can hold
// it. Applied as one types (after a short pause) or at once on Enter.
import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  value: string;
  onChange(value: string): void;
  /** Why the value matches nothing, e.g. no column can hold it. */
  problem: string | null;
}

const PAUSE_MS = 350;

export function QuickFilter({ value, onChange, problem }: Props) {
  const [text, setText] = useState(value);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => setText(value), [value]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const apply = (next: string) => {
    window.clearTimeout(timer.current);
    if (next !== value) onChange(next);
  };

  return (
    <form
      class="quick-filter"
      onSubmit={(event) => {
        event.preventDefault();
        apply(text);
      }}
    >
      <label for="quick-filter">Filter</label>
      <input
        id="quick-filter"
        type="search"
        value={text}
        placeholder="a value in any column, e.g. 서울"
        aria-describedby={problem ? 'quick-filter-problem' : undefined}
        onInput={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => apply(next), PAUSE_MS);
        }}
      />
      {problem && (
        <span id="quick-filter-problem" class="problem">
          {problem}
        </span>
      )}
    </form>
  );
}
