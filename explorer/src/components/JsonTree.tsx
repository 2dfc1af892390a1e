// A JSON (or unpickled) value as a tree: objects and arrays fold open and shut
// (native <details>, so keyboard and screen readers know them); long arrays and
// objects show their members a slice at a time.
import { useState } from 'preact/hooks';

const SLICE = 200;
/** Levels open at first: enough to see the shape without drowning in it. */
const OPEN_LEVELS = 2;

interface Props {
  value: unknown;
  name?: string;
  depth?: number;
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span class="json-null">null</span>;
  if (typeof value === 'string') return <span class="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="json-boolean">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

export function JsonTree({ value, name, depth = 0 }: Props) {
  const [shown, setShown] = useState(SLICE);
  const label = name !== undefined ? <span class="json-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    return (
      <div class="json-leaf">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summary = isArray
    ? `[${entries.length} ${entries.length === 1 ? 'item' : 'items'}]`
    : `{${entries.length} ${entries.length === 1 ? 'key' : 'keys'}}`;
  if (entries.length === 0) {
    return (
      <div class="json-leaf">
        {label}
        <span class="muted">{isArray ? '[]' : '{}'}</span>
      </div>
    );
  }
  return (
    <details class="json-node" open={depth < OPEN_LEVELS}>
      <summary>
        {label}
        <span class="muted">{summary}</span>
      </summary>
      <div class="json-children">
        {entries.slice(0, shown).map(([key, child]) => (
          <JsonTree key={key} name={key} value={child} depth={depth + 1} />
        ))}
        {entries.length > shown && (
          <button type="button" class="link-button" onClick={() => setShown(shown + SLICE)}>
            Show {Math.min(SLICE, entries.length - shown)} more of {entries.length - shown}
          </button>
        )}
      </div>
    </details>
  );
}
