// Bar charts for BENCHMARKS.md: drawn as SVG here and photographed by headless Chromium
// (playwright-core), so no plotting library is needed. Each chart is a list of groups of
// horizontal bars with their values printed; a bar may carry a whisker (e.g. p50 bar, p99 tick).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, ROOT } from '../harness.mjs';

export const COLORS = {
  native: '#0f5e6b',
  wasm: '#3fa7b5',
  npm: '#e07b39',
  npm2: '#f2b37c',
  floor: '#9aa3ab',
  tessera: '#0f5e6b',
  reference: '#5b4b8a',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const thousands = (v) => Math.round(v).toLocaleString('en-US');

/**
 * groups: [{ label, bars: [{ label, value, color, whisker? }] }]
 * rule: optional { value, label } vertical line (a budget or a reference).
 */
export function barChart({ title, subtitle = '', unit = '', groups, rule, format = thousands, width = 960 }) {
  const labelW = 300;
  const legend = groups.some((g) => g.bars.some((b) => b.whisker !== undefined));
  // Room for the value printed after the longest bar ("123.4 ms (p99 567.8 ms)").
  const valueW = legend ? 250 : 150;
  const left = labelW + 16;
  const plotW = width - left - valueW;
  const barH = 22;
  const gap = 6;
  const groupGap = 16;
  const top = subtitle ? 74 : 52;
  const max = Math.max(...groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.whisker ?? 0))), rule?.value ?? 0) * 1.02;
  const x = (v) => left + (plotW * v) / max;
  let y = top;
  const parts = [];
  for (const group of groups) {
    if (group.label) {
      parts.push(`<text x="16" y="${y + 14}" class="group">${esc(group.label)}</text>`);
      y += 24;
    }
    for (const bar of group.bars) {
      const w = Math.max(1, x(bar.value) - left);
      parts.push(`<text x="${labelW}" y="${y + barH / 2 + 5}" class="label" text-anchor="end">${esc(bar.label)}</text>`);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" rx="2" fill="${bar.color}"/>`);
      let end = left + w;
      if (bar.whisker !== undefined) {
        const wx = x(bar.whisker);
        parts.push(`<line x1="${end}" y1="${y + barH / 2}" x2="${wx}" y2="${y + barH / 2}" class="whisker"/>`);
        parts.push(`<line x1="${wx}" y1="${y + 4}" x2="${wx}" y2="${y + barH - 4}" class="whisker"/>`);
        end = Math.max(end, wx);
      }
      const p99 = bar.whisker !== undefined ? ` (p99 ${format(bar.whisker)}${unit})` : '';
      const text = `${format(bar.value)}${unit}${p99}`;
      // A white box behind the value keeps a budget or reference line from striking through it.
      parts.push(`<rect x="${end + 3}" y="${y + 2}" width="${(text.length * 8 + 6).toFixed(0)}" height="${barH - 4}" fill="#fff"/>`);
      parts.push(`<text x="${end + 6}" y="${y + barH / 2 + 5}" class="value">${esc(text)}</text>`);
      y += barH + gap;
    }
    y += groupGap;
  }
  const bottom = y;
  if (rule) {
    // Drawn first, so bars and their values sit on top of it.
    parts.unshift(`<line x1="${x(rule.value)}" y1="${top - 6}" x2="${x(rule.value)}" y2="${bottom - groupGap}" class="rule"/>`);
    parts.push(`<text x="${x(rule.value) - 4}" y="${bottom + 2}" class="rulelabel" text-anchor="end">${esc(rule.label)}</text>`);
  }
  const height = bottom + (rule || legend ? 20 : 4);
  if (legend) parts.push(`<text x="16" y="${height - 6}" class="sub">bar: p50; whisker: p99</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<style>
  text { font-family: 'DejaVu Sans', 'Liberation Sans', sans-serif; fill: #1d252c; }
  .title { font-size: 19px; font-weight: bold; }
  .sub { font-size: 13px; fill: #4a545e; }
  .group { font-size: 14px; font-weight: bold; }
  .label { font-size: 13px; }
  .value { font-size: 13px; font-variant-numeric: tabular-nums; }
  .whisker { stroke: #1d252c; stroke-width: 1.5; }
  .rule { stroke: #b3261e; stroke-width: 1.5; stroke-dasharray: 5 4; }
  .rulelabel { font-size: 12px; fill: #b3261e; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="30" class="title">${esc(title)}</text>
${subtitle ? `<text x="16" y="54" class="sub">${esc(subtitle)}</text>` : ''}
${parts.join('\n')}
</svg>`;
}

/** Writes each `{ name, svg }` to docs/bench/<name>.png (2x for legibility); returns the paths. */
export async function renderPngs(charts) {
  const dir = join(ROOT, 'docs/bench');
  mkdirSync(dir, { recursive: true });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2, viewport: { width: 1000, height: 800 } });
    const paths = [];
    for (const { name, svg } of charts) {
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
      const path = `docs/bench/${name}.png`;
      await page.locator('svg').screenshot({ path: join(ROOT, path) });
      paths.push(path);
    }
    return paths;
  } finally {
    await browser.close();
  }
}
