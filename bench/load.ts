// Load: 200 concurrent clients on loopback, for a bounded time, on a mix of what
// people do with the demo bucket (listing, object metadata, first pages of the CSV,
// XLSX and JSON, a filtered count, a text read), against bucketql built and running
// in its own process with the embedded store. Reports requests/s, p50/p99 latency,
// errors, and the server's RSS every 5 s (flat means no leak) and at its peak.
//   npx tsx bench/load.ts                     (60 s, 200 clients)
//   npx tsx bench/load.ts --seconds 10 --clients 50 [--no-build] [--json]
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { type BenchServer, buildOnce, startServer } from './support.js';

interface Scenario {
  name: string;
  /** Relative frequency in the mix. */
  weight: number;
  query: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'buckets', weight: 1, query: '{ buckets { name createdAt } }' },
  {
    name: 'listing',
    weight: 3,
    query:
      '{ bucket(name: "demo") { objects(first: 50, delimiter: "/") { edges { node { key size lastModified } } prefixes pageInfo { hasNextPage } } } }',
  },
  {
    name: 'object metadata',
    weight: 3,
    query: '{ object(bucket: "demo", key: "sales.csv") { key name size etag lastModified contentType metadata format compression } }',
  },
  {
    name: 'CSV first page',
    weight: 3,
    query:
      '{ object(bucket: "demo", key: "sales.csv") { table { columns { name type } rowCount rows(first: 20) { edges { cursor node { index values } } pageInfo { endCursor } } } } }',
  },
  {
    name: 'XLSX first page',
    weight: 2,
    query:
      '{ object(bucket: "demo", key: "report.xlsx") { table { sheets columns { name type } rows(first: 20) { edges { node { values } } } } } }',
  },
  {
    name: 'JSON first page',
    weight: 2,
    query:
      '{ object(bucket: "demo", key: "people.json") { table { columns { name type } rows(first: 20) { edges { node { values } } } } } }',
  },
  {
    name: 'filtered count',
    weight: 2,
    query:
      '{ object(bucket: "demo", key: "sales.csv") { table { count(where: { and: [{ column: "city", op: EQ, value: "서울" }, { column: "quantity", op: GTE, value: 3 }] }) } } }',
  },
  { name: 'text read', weight: 2, query: '{ object(bucket: "demo", key: "README.txt") { text } }' },
];

interface Stats {
  latencies: number[];
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** POSTs one query over the keep-alive agent; resolves with an error message, or null when it went well. */
function send(agent: Agent, url: URL, body: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(`HTTP ${res.statusCode}`);
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              errors?: { extensions?: { code?: string }; message: string }[];
            };
            const error = parsed.errors?.[0];
            resolve(error ? `${error.extensions?.code ?? 'ERROR'}: ${error.message}` : null);
          } catch {
            resolve('a body that is not JSON');
          }
        });
        res.on('error', (error) => resolve(String(error)));
      },
    );
    req.on('error', (error) => resolve(String(error)));
    req.end(body);
  });
}

async function run(server: BenchServer, seconds: number, clients: number, log: (line: string) => void) {
  const url = new URL(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  // A deck of scenarios by weight, dealt round-robin from a different start per client.
  const deck = SCENARIOS.flatMap((s) => Array.from({ length: s.weight }, () => s));
  const bodies = new Map(SCENARIOS.map((s) => [s.name, JSON.stringify({ query: s.query })]));
  const stats = new Map(SCENARIOS.map((s): [string, Stats] => [s.name, { latencies: [], errors: 0 }]));
  const errorSamples = new Map<string, number>();

  // Warm-up: every scenario once, and it must work.
  for (const scenario of SCENARIOS) {
    const error = await send(agent, url, bodies.get(scenario.name) as string);
    if (error) throw new Error(`warm-up: ${scenario.name} failed: ${error}`);
  }

  const rss: { at: number; rss: number }[] = [{ at: 0, rss: server.memory().rss }];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const sampler = setInterval(() => {
    const at = Math.round((performance.now() - started) / 1000);
    const sample = { at, rss: server.memory().rss };
    rss.push(sample);
    log(`  t=${String(at).padStart(3)} s  RSS ${sample.rss} MiB`);
  }, 5000);

  const client = async (id: number) => {
    for (let i = id; performance.now() < deadline; i++) {
      const scenario = deck[i % deck.length] as Scenario;
      const t0 = performance.now();
      const error = await send(agent, url, bodies.get(scenario.name) as string);
      const stat = stats.get(scenario.name) as Stats;
      stat.latencies.push(performance.now() - t0);
      if (error) {
        stat.errors++;
        const key = `${scenario.name}: ${error.slice(0, 160)}`;
        errorSamples.set(key, (errorSamples.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  rss.push({ at: Math.round(elapsed), rss: server.memory().rss });
  agent.destroy();

  const all = [...stats.values()].flatMap((s) => s.latencies).sort((a, b) => a - b);
  const errors = [...stats.values()].reduce((n, s) => n + s.errors, 0);
  return {
    seconds: Number(elapsed.toFixed(1)),
    clients,
    requests: all.length,
    requestsPerSecond: Math.round(all.length / elapsed),
    p50Ms: Number(percentile(all, 50).toFixed(1)),
    p99Ms: Number(percentile(all, 99).toFixed(1)),
    maxMs: Number((all.at(-1) ?? Number.NaN).toFixed(1)),
    errors,
    errorSamples: Object.fromEntries(errorSamples),
    peakRssMiB: server.memory().peak,
    rssMiB: rss,
    byScenario: Object.fromEntries(
      [...stats].map(([name, s]) => {
        const sorted = [...s.latencies].sort((a, b) => a - b);
        return [
          name,
          {
            requests: sorted.length,
            p50Ms: Number(percentile(sorted, 50).toFixed(1)),
            p99Ms: Number(percentile(sorted, 99).toFixed(1)),
            errors: s.errors,
          },
        ];
      }),
    ),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      clients: { type: 'string', default: '200' },
      'no-build': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const clients = Number(values.clients);
  if (!(seconds > 0 && seconds <= 3600) || !(clients > 0 && clients <= 2000)) throw new Error('--seconds takes 1..3600, --clients 1..2000');
  const log = values.json ? () => undefined : (line: string) => console.log(line);

  if (!values['no-build']) buildOnce();
  // The default host is 127.0.0.1: the load never leaves the machine.
  const server = await startServer({ BUCKETQL_LOG_LEVEL: 'warn' });
  log(`bucketql (pid ${server.pid}) at ${server.url}: ${clients} clients for ${seconds} s`);
  let report: Awaited<ReturnType<typeof run>>;
  try {
    report = await run(server, seconds, clients, log);
    const health = await fetch(`${server.url}/healthz`);
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status} after the load`);
  } finally {
    await server.stop();
  }

  if (values.json) {
    console.log(JSON.stringify(report));
    return;
  }
  log('');
  log(`requests      ${report.requests} in ${report.seconds} s: ${report.requestsPerSecond} requests/s`);
  log(`latency       p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms, max ${report.maxMs} ms`);
  log(`errors        ${report.errors}`);
  for (const [sample, count] of Object.entries(report.errorSamples).slice(0, 10)) log(`  ${count} × ${sample}`);
  log(`RSS           peak ${report.peakRssMiB} MiB; every 5 s: ${report.rssMiB.map((s) => s.rss).join(', ')} MiB`);
  log('');
  log(`${'scenario'.padEnd(18)} ${'requests'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const [name, s] of Object.entries(report.byScenario)) {
    log(
      `${name.padEnd(18)} ${String(s.requests).padStart(9)} ${String(s.p50Ms).padStart(8)} ${String(s.p99Ms).padStart(8)} ${String(s.errors).padStart(7)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
