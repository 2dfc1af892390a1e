// A client that goes away is a normal event: it is logged once, at `info`, on one line
// without a stack — not as an error. Checked for a query reading S3 and for an upload.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { startTestApp, type TestApp, testStorage, uniqueBucket } from '../support/app.js';
import { generatedBytes, multipartFrame, PREFLIGHT } from '../support/multipart.js';

const bucket = uniqueBucket('disconnect-log');
const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
let app: TestApp;

beforeAll(async () => {
  const direct = testStorage();
  await direct.createBucket(bucket);
  const rows = ['id,city,amount'];
  for (let i = 0; i < 400_000; i++) rows.push(`${i},city ${i % 50},${i % 997}`);
  await direct.putObject({ bucket, key: 'big.csv' }, Buffer.from(`${rows.join('\n')}\n`), { contentType: 'text/csv' });
  direct.destroy();
  const logger = createLogger('debug', (line) => {
    lines.push(JSON.parse(line));
  });
  app = await startTestApp({}, { logger });
}, 60_000);
afterAll(() => app?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `body`, then destroys the connection after `ms`. */
function sendAndHangUp(headers: Record<string, string>, body: Buffer, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${app.url}/graphql`, { method: 'POST', headers });
    req.on('error', () => undefined);
    req.write(body);
    setTimeout(() => {
      req.destroy();
      resolve();
    }, ms);
  });
}

function checkLogged(from: number): void {
  const logged = lines.slice(from).filter((line) => line.level !== 'debug');
  expect(logged.filter((line) => line.level === 'error' || line.level === 'warn')).toEqual([]);
  const gone = logged.filter((line) => /client/i.test(line.msg));
  expect(gone).toHaveLength(1);
  expect(gone[0]?.level).toBe('info');
  expect(JSON.stringify(gone[0])).not.toMatch(/\n|\bat \S+ \(|\.ts:\d+/);
}

describe('a client that disconnects', () => {
  it('while its query reads S3: one info line, no error, no stack', async () => {
    const from = lines.length;
    const query = `{ object(bucket: "${bucket}", key: "big.csv") { table { rows(first: 5, orderBy: [{ column: "amount", direction: DESC }]) { totalCount } } } }`;
    await sendAndHangUp({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ query })), 150);
    await sleep(2500);
    checkLogged(from);
  }, 30_000);

  it('in the middle of an upload: one info line, no error, no stack', async () => {
    const from = lines.length;
    const query = 'mutation($b: String!, $k: String!, $f: File!) { uploadFile(bucket: $b, key: $k, file: $f) { size } }';
    const frame = multipartFrame(query, { b: bucket, k: 'cut.bin' }, [
      { variable: 'f', filename: 'cut.bin', type: 'application/octet-stream' },
    ]);
    const chunks: Buffer[] = [frame.head, frame.partHeader(0)];
    for await (const chunk of generatedBytes(2 * 1024 * 1024)) chunks.push(Buffer.from(chunk));
    await sendAndHangUp(
      { ...PREFLIGHT, 'content-type': frame.contentType, 'content-length': String(50 * 1024 * 1024) },
      Buffer.concat(chunks),
      500,
    );
    await sleep(1500);
    checkLogged(from);
  }, 30_000);
});
