// Draws a column's chart as SVG: vertical bars for a histogram, horizontal bars for
// the most frequent values (their labels, Korean ones included, stay readable).
// The numbers are also there as a table, for screen readers and for copying.
import { useId } from 'preact/hooks';
import { formatCount } from '../display.js';
import type { Bin, ColumnChartData, Histogram, TopValues } from './data.js';

const WIDTH = 720;
/** Decimals that tell bins of this width apart, the same for every label of an axis (0 to 6). */
function axisDecimals(chart: Histogram): number {
  const first = chart.bins[0];
  const width = first ? first.end - first.start : 0;
  if (!(width > 0)) return 0;
  return Math.min(6, Math.max(0, Math.ceil(-Math.log10(width)) + (width / 10 ** Math.floor(Math.log10(width)) === 1 ? 0 : 1)));
}

function binLabel(bin: Bin, chart: Histogram): string {
  if (chart.integers) return String(bin.start);
  if (chart.scale === 'time') {
    const span = (chart.bins.at(-1)?.end ?? 0) - (chart.bins[0]?.start ?? 0);
    const iso = new Date(bin.start).toISOString();
    // Within two days, hours tell the bins apart; beyond, dates do.
    return span < 2 * 86_400_000 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
  }
  const decimals = axisDecimals(chart);
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(bin.start);
}

function HistogramBars({ chart }: { chart: Histogram }) {
  const height = 240;
  const left = 56;
  const bottom = 48;
  const plotWidth = WIDTH - left - 8;
  const plotHeight = height - bottom - 12;
  const max = Math.max(1, ...chart.bins.map((b) => b.count));
  const barWidth = plotWidth / Math.max(1, chart.bins.length);
  // Label a handful of bins, evenly: every one would overlap.
  const every = Math.max(1, Math.ceil(chart.bins.length / 6));
  return (
    <g>
      {[0, 0.5, 1].map((f) => {
        const y = 12 + plotHeight * (1 - f);
        return (
          <g key={f} class="axis">
            <line x1={left} x2={WIDTH - 8} y1={y} y2={y} />
            <text x={left - 6} y={y + 4} text-anchor="end">
              {formatCount(Math.round(max * f))}
            </text>
          </g>
        );
      })}
      {chart.bins.map((bin, i) => {
        const h = (bin.count / max) * plotHeight;
        const x = left + i * barWidth;
        return (
          <g key={bin.start}>
            <rect class="bar" x={x + 1} y={12 + plotHeight - h} width={Math.max(1, barWidth - 2)} height={h}>
              <title>
                {binLabel(bin, chart)}
                {chart.integers ? '' : ' and up'}: {formatCount(bin.count)}
              </title>
            </rect>
            {i % every === 0 && (
              <text
                class="axis"
                x={x + (chart.integers ? barWidth / 2 : 0)}
                y={height - bottom + 18}
                text-anchor={chart.integers ? 'middle' : 'start'}
              >
                {binLabel(bin, chart)}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

function TopBars({ chart }: { chart: TopValues }) {
  const rowHeight = 24;
  const left = 180;
  const right = 64;
  const rows = chart.others > 0 ? [...chart.values, { label: 'all other values', count: chart.others }] : chart.values;
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <g>
      {rows.map((row, i) => {
        const w = (row.count / max) * (WIDTH - left - right);
        const y = 8 + i * rowHeight;
        const other = i === chart.values.length;
        return (
          <g key={row.label}>
            <text class={other ? 'axis muted-label' : 'axis'} x={left - 8} y={y + 16} text-anchor="end">
              {row.label.length > 24 ? `${row.label.slice(0, 23)}…` : row.label || '(empty text)'}
            </text>
            <rect class={other ? 'bar bar-other' : 'bar'} x={left} y={y + 3} width={Math.max(1, w)} height={rowHeight - 6}>
              <title>
                {row.label}: {formatCount(row.count)}
              </title>
            </rect>
            <text class="axis" x={left + w + 6} y={y + 16}>
              {formatCount(row.count)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

export function ColumnChart({ chart }: { chart: ColumnChartData }) {
  const titleId = useId();
  const rows =
    chart.kind === 'histogram'
      ? chart.bins.map((bin) => ({ label: binLabel(bin, chart), count: bin.count }))
      : chart.others > 0
        ? [...chart.values, { label: 'all other values', count: chart.others }]
        : chart.values;
  const height = chart.kind === 'histogram' ? 240 : 16 + rows.length * 24;
  const what = chart.kind === 'histogram' ? 'Distribution' : 'Most frequent values';
  const title = `${what} of ${chart.column}`;
  if (rows.length === 0) return <p class="muted">No values to draw: every row read is empty.</p>;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={titleId} class={`chart-${chart.kind}`}>
        <title id={titleId}>{title}</title>
        {chart.kind === 'histogram' ? <HistogramBars chart={chart} /> : <TopBars chart={chart} />}
      </svg>
      <figcaption>
        {title}
        {chart.counted < chart.total
          ? ` in the first ${formatCount(chart.counted)} of ${formatCount(chart.total)} rows`
          : ` in all ${formatCount(chart.total)} rows`}
        {chart.nulls > 0 ? `; ${formatCount(chart.nulls)} empty` : ''}.
      </figcaption>
      <details class="chart-numbers">
        <summary>The numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{chart.kind === 'histogram' ? (chart.integers ? 'Value' : 'From') : 'Value'}</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <td>{row.label}</td>
                <td class="numeric">{formatCount(row.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
