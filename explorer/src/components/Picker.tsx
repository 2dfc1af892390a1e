// A labelled select: sheet, encoding and chart column pickers.
import { useId } from 'preact/hooks';

interface Props {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange(value: string): void;
}

export function Picker({ label, value, options, onChange }: Props) {
  const id = useId();
  return (
    <span class="picker">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </span>
  );
}
