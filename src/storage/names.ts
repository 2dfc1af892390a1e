// The rule for bucket names, keys and prefixes, checked by every Storage method
// before S3 is called, so that no key names another bucket or, on the embedded store,
// a file outside its folder. Why each part of the rule is there:
// - `.` and `..` segments are resolved on the way (a browser normalises a presigned
//   URL's path, s3rver's file store joins the key into a file path): the bucket that
//   was checked would not be the bucket (or folder) touched.
// - Control characters (NUL, CR, LF, ...) cannot travel in S3's XML or an HTTP header
//   (the copy source), and stores answer them with errors of their own.
// - Empty segments (`a//b`) and a leading `/`: s3rver's router answers them 404 and
//   its file layout would map `a//b` onto `a/b`, so they cannot be kept literal on
//   every supported store; refused. A trailing `/` (a "folder" marker) is kept.
// - A backslash is an ordinary character: the SDK sends it as %5C, browsers keep
//   %5C as it is, and s3rver stores it in the file name; kept literal.
import { BadUserInput } from '../errors.js';

export const MAX_KEY_BYTES = 1024;

// Unicode's Cc category: C0 controls, DEL and the C1 controls.
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function show(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** S3's bucket naming rules (the current ones, which every S3-compatible store accepts). */
export function checkBucketName(name: string): void {
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('be 3 to 63 characters long');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    problems.push('use only lower-case letters, digits, dots and hyphens, and start and end with a letter or digit');
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) problems.push('not have two dots, or a dot next to a hyphen');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push('not look like an IP address');
  if (name.startsWith('xn--') || name.startsWith('sthree-') || name.endsWith('-s3alias') || name.endsWith('--ol-s3')) {
    problems.push('not use a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3)');
  }
  if (problems.length > 0)
    throw new BadUserInput(`Invalid bucket name ${show(name)}: a bucket name must ${problems.join('; ')}`, { bucket: name });
}

/** Why the path (a key or a prefix) breaks the rule, or null when it keeps it. */
function pathProblem(path: string): string | null {
  const control = CONTROL.exec(path);
  if (control) return `it holds a control character (U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (LONE_SURROGATE.test(path)) return 'it holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry';
  if (path.startsWith('/')) return 'it starts with "/"';
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '.' || segment === '..') return `it has a "${segment}" path segment`;
    if (segment === '' && i < segments.length - 1) return 'it has an empty path segment ("//")';
  }
  return null;
}

export function checkKey(key: string, bucket?: string): void {
  const extensions = bucket === undefined ? { key } : { bucket, key };
  if (key.length === 0) throw new BadUserInput('The object key is empty', extensions);
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new BadUserInput(`The object key ${show(key)} is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`, extensions);
  }
  const problem = pathProblem(key);
  if (problem) throw new BadUserInput(`Invalid object key ${show(key)}: ${problem}`, extensions);
}

/** A listing prefix keeps the key rule (it may be empty, and ends where it likes). */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  if (Buffer.byteLength(prefix, 'utf8') > MAX_KEY_BYTES) {
    throw new BadUserInput(`The prefix ${show(prefix)} is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`, { prefix });
  }
  const problem = pathProblem(prefix);
  if (problem) throw new BadUserInput(`Invalid prefix ${show(prefix)}: ${problem}`, { prefix });
}

/** Checks a bucket and key pair. */
export function checkRef(ref: { bucket: string; key: string }): void {
  checkBucketName(ref.bucket);
  checkKey(ref.key, ref.bucket);
}
