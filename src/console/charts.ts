// Charts as inline SVG, drawn on the server: no script, no library, nothing fetched.
import { esc } from './html.js';

export interface Bar {
  label: string;
  /** Stacked parts, bottom first. */
  parts: { value: number; color: string; title: string }[];
}

export function barChart(
  bars: Bar[],
  options: { width?: number; height?: number; unit: (v: number) => string },
): string {
  const width = options.width ?? 720;
  const height = options.height ?? 160;
  const max = Math.max(1e-9, ...bars.map((b) => b.parts.reduce((s, p) => s + p.value, 0)));
  const w = width / Math.max(1, bars.length);
  const rects = bars.flatMap((b, i) => {
    let y = height;
    return b.parts
      .filter((p) => p.value > 0)
      .map((p) => {
        const h = (p.value / max) * (height - 4);
        y -= h;
        return `<rect x="${(i * w + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, w - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${p.color}"><title>${esc(`${b.label}: ${p.title} ${options.unit(p.value)}`)}</title></rect>`;
      });
  });
  return `<svg class="chart" viewBox="0 0 ${width} ${height + 16}" width="${width}" height="${height + 16}" role="img" aria-label="chart">${rects.join('')}<text x="0" y="${height + 13}" font-size="11" fill="#666">${esc(bars[0]?.label ?? '')}</text><text x="${width}" y="${height + 13}" font-size="11" fill="#666" text-anchor="end">${esc(bars.at(-1)?.label ?? '')}</text><text x="2" y="11" font-size="11" fill="#888">max ${esc(options.unit(max))}</text></svg>`;
}

/** One cell per hour: green when every result was good, red when none was, amber between, grey without results. */
export function timeline(hours: { start: number; good: number; total: number }[], from: number, to: number): string {
  const HOUR = 3_600_000;
  const n = Math.ceil((to - from) / HOUR);
  const width = 720;
  const w = width / n;
  const by = new Map(hours.map((h) => [h.start, h]));
  const cells: string[] = [];
  // The strip ends with the hour that holds `to` (the current one), so a result of this hour shows.
  const last = Math.floor(to / HOUR) * HOUR;
  for (let i = 0; i < n; i++) {
    const start = last - (n - 1 - i) * HOUR;
    const h = by.get(start);
    const color = !h || h.total === 0 ? '#ddd' : h.good === h.total ? '#2e9e4f' : h.good === 0 ? '#d33' : '#e8a317';
    const title = h
      ? `${new Date(start).toISOString().slice(0, 13)}h: ${h.good}/${h.total} good`
      : `${new Date(start).toISOString().slice(0, 13)}h: no result`;
    cells.push(
      `<rect x="${(i * w).toFixed(2)}" y="0" width="${Math.max(0.5, w).toFixed(2)}" height="24" fill="${color}"><title>${esc(title)}</title></rect>`,
    );
  }
  return `<svg class="timeline" viewBox="0 0 ${width} 24" width="${width}" height="24" role="img" aria-label="30-day timeline">${cells.join('')}</svg>`;
}

/** A line of the numbers a check's probe measured, oldest first, with the last, lowest and highest said. */
export function sparkline(points: { value: number; at: string }[], unit: string): string {
  const width = 300;
  const height = 40;
  const values = points.map((p) => p.value);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  const span = max - min || 1;
  const step = width / Math.max(1, points.length - 1);
  const xy = points.map((p, i) => ({
    x: (i * step).toFixed(1),
    y: (height - 2 - ((p.value - min) / span) * (height - 4)).toFixed(1),
  }));
  const say = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(2)}${unit ? ` ${unit}` : ''}`;
  const dots = points.map(
    (p, i) =>
      `<circle cx="${xy[i]!.x}" cy="${xy[i]!.y}" r="2"><title>${esc(`${p.at.replace('T', ' ').slice(0, 19)} UTC: ${say(p.value)}`)}</title></circle>`,
  );
  return `<svg class="sparkline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(`last ${say(values.at(-1)!)}, lowest ${say(min)}, highest ${say(max)}`)}"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${xy.map((c) => `${c.x},${c.y}`).join(' ')}"/>${dots.join('')}</svg>`;
}
