// The text encoding to read an object in: detected by the server unless one is picked.
import { Picker } from './Picker.js';

/** WHATWG labels the server takes, plus cp949; the common ones first. */
const ENCODINGS = [
  'utf-8',
  'cp949',
  'euc-kr',
  'shift_jis',
  'euc-jp',
  'gb18030',
  'big5',
  'windows-1252',
  'iso-8859-1',
  'utf-16le',
  'utf-16be',
];

export function EncodingPicker({ value, onChange }: { value: string; onChange(encoding: string): void }) {
  return (
    <Picker
      label="Encoding"
      value={value}
      options={[{ value: '', label: 'detected automatically' }, ...ENCODINGS.map((e) => ({ value: e, label: e }))]}
      onChange={onChange}
    />
  );
}
