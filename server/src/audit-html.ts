/**
 * The audit as one self-contained HTML file an auditor can hand on or print: summary, totals per
 * rule and per content type, the progress chart (inline SVG, with its figures as a table), and the
 * images with thumbnails embedded as data: URLs, so the file needs no server and no login.
 */
import type { Core } from '@strapi/strapi';
import sharp from 'sharp';
import type { AltKind, AltRule, AuditItem, AuditSnapshot, AuditTotals, ContentTypeTotals, Coverage } from './contracts';
import { readUpload } from './read-upload';
import { pluginConfig } from './utils';

export interface HtmlReport {
  generatedAt: string;
  scope: 'all' | 'attention';
  limits: { maxLength: number; duplicateMin: number };
  rules: AltRule[];
  coverage: Coverage;
  totals: AuditTotals;
  byContentType: ContentTypeTotals[];
  history: AuditSnapshot[];
  items: AuditItem[];
}

/** Thumbnails embedded at most (a library of 100 000 images makes a report, not a 300 MB file). */
const MAX_THUMBNAILS = 2000;
const THUMB_PX = 72;

const WRITTEN_BY: Record<AltKind, string> = { human: 'a person', machineApproved: 'machine, approved', machineUnreviewed: 'machine, not reviewed', decorative: 'decorative', none: '–' };
const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (n: number, of: number) => (of ? `${Math.round((n / of) * 1000) / 10} %` : '–');

/** Colours and dash patterns for the chart's lines (told apart without colour too). */
const SERIES_STYLE = [
  { color: '#1a7f37', dash: '' },
  { color: '#b42318', dash: '6 3' },
  { color: '#6941c6', dash: '2 3' },
  { color: '#b54708', dash: '8 3 2 3' },
  { color: '#175cd3', dash: '4 4' },
  { color: '#444ce7', dash: '1 2' },
  { color: '#c11574', dash: '10 2' },
  { color: '#027a48', dash: '3 1' },
  { color: '#667085', dash: '12 4' },
  { color: '#a15c07', dash: '5 2 1 2' },
];

/** The chart's series: the share of images compliant, and the share breaking each rule that ever applied. */
export function chartSeries(history: AuditSnapshot[], rules: AltRule[]): { label: string; values: number[] }[] {
  const share = (n: number, t: AuditTotals) => (t.images ? n / t.images : 0);
  const series = [{ label: 'Compliant', values: history.map((h) => share(h.totals.compliant, h.totals)) }];
  for (const r of rules) {
    const values = history.map((h) => share(h.totals.byRule[r.id] ?? 0, h.totals));
    if (values.some((v) => v > 0)) series.push({ label: `Breaks “${r.title}”`, values });
  }
  return series;
}

function chartSvg(history: AuditSnapshot[], rules: AltRule[]): string {
  const [w, h, left, bottom, top, right] = [720, 260, 44, 28, 10, 10];
  const series = chartSeries(history, rules);
  const x = (i: number) => left + (history.length <= 1 ? (w - left - right) / 2 : (i * (w - left - right)) / (history.length - 1));
  const y = (v: number) => top + (1 - v) * (h - top - bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((v) => `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#d0d5dd"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v * 100} %</text>`)
    .join('');
  const last = history.length - 1;
  const days =
    last < 0
      ? ''
      : last === 0
        ? `<text x="${x(0)}" y="${h - 8}" text-anchor="middle">${esc(history[0].day)}</text>`
        : `<text x="${x(0)}" y="${h - 8}" text-anchor="start">${esc(history[0].day)}</text><text x="${x(last)}" y="${h - 8}" text-anchor="end">${esc(history[last].day)}</text>`;
  const lines = series
    .map((s, i) => {
      const st = SERIES_STYLE[i % SERIES_STYLE.length];
      const pts = s.values.map((v, j) => `${x(j).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      const dots = s.values.length === 1 ? `<circle cx="${x(0)}" cy="${y(s.values[0])}" r="4" fill="${st.color}"/>` : '';
      return `<polyline points="${pts}" fill="none" stroke="${st.color}" stroke-width="${i === 0 ? 3 : 2}" stroke-dasharray="${st.dash}"/>${dots}`;
    })
    .join('');
  const legend = series
    .map((s, i) => {
      const st = SERIES_STYLE[i % SERIES_STYLE.length];
      return `<li><svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" stroke="${st.color}" stroke-width="3" stroke-dasharray="${st.dash}"/></svg> ${esc(s.label)}</li>`;
    })
    .join('');
  return `<figure>
  <svg viewBox="0 0 ${w} ${h}" width="100%" style="max-width: ${w}px" role="img" aria-labelledby="chart-title" font-size="11" font-family="inherit"><title id="chart-title">Share of images compliant, and breaking each rule, per day (the table below has the figures)</title>${grid}${days}${lines}</svg>
  <ul class="legend">${legend}</ul>
</figure>`;
}

async function thumbnail(strapi: Core.Strapi, url: string): Promise<string | null> {
  try {
    const data = await readUpload(url, strapi.dirs.static.public, { allowHosts: pluginConfig(strapi).remoteHosts, maxBytes: 20 * 1024 * 1024, timeoutMs: 10_000 });
    const jpeg = await sharp(data).resize(THUMB_PX, THUMB_PX, { fit: 'inside' }).jpeg({ quality: 60 }).toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return null;
  }
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #101828; margin: 2rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d5dd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; } td.n, th.n { text-align: right; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
.ok { color: #1a7f37; } .bad { color: #b42318; }
img.thumb { width: ${THUMB_PX}px; height: ${THUMB_PX}px; object-fit: contain; background: #f2f4f7; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; } dl.summary dd { margin: 0; font-weight: 600; }
@media print { body { margin: 0; font-size: 11px; } a { color: inherit; text-decoration: none; } tr, figure { break-inside: avoid; } thead { display: table-header-group; } }
`;

export async function auditHtml(strapi: Core.Strapi, r: HtmlReport): Promise<string> {
  const t = r.totals;
  const ruleTitle = new Map(r.rules.map((x) => [x.id, x.title]));
  const thumbs = new Map<number, string | null>();
  const wanted = r.items.slice(0, MAX_THUMBNAILS);
  // A few at a time: the files may come from a remote provider.
  for (let i = 0; i < wanted.length; i += 8) {
    await Promise.all(wanted.slice(i, i + 8).map(async (it) => thumbs.set(it.fileId, await thumbnail(strapi, it.thumbnailUrl))));
  }
  const row = (it: AuditItem) => {
    const src = thumbs.get(it.fileId);
    const usage = it.entries ? `${it.entries} entr${it.entries === 1 ? 'y' : 'ies'} (${it.publishedEntries} published)` : 'not used';
    const problems = [
      ...it.rules.map((id) => ruleTitle.get(id) ?? id),
      ...it.reasons.filter((x) => x !== 'no-alt-text'),
      ...(it.domainVerdict === 'out' && it.kind !== 'decorative' ? ['machine caption out of domain'] : []),
    ];
    return `<tr><td>${src ? `<img class="thumb" src="${src}" alt="">` : ''}</td><td>${esc(it.fileName)}<br><small>#${it.fileId}</small></td><td>${
      it.decorative ? `<em>Decorative</em>: ${esc(it.decorative.reason)}` : it.alternativeText ? esc(it.alternativeText) : '<em>(none)</em>'
    }</td><td>${WRITTEN_BY[it.kind]}</td><td>${problems.length ? `<span class="bad">${esc(problems.join(', '))}</span>` : '<span class="ok">compliant</span>'}</td><td>${usage}</td></tr>`;
  };
  const list = (title: string, items: AuditItem[]) =>
    items.length
      ? `<h2>${esc(title)} (${items.length})</h2><table><thead><tr><th>Image</th><th>File</th><th>Alt text</th><th>Written by</th><th>Problems</th><th>Used in</th></tr></thead><tbody>${items.map(row).join('')}</tbody></table>`
      : '';
  const attention = r.items.filter((i) => !i.compliant || i.reasons.length);
  const fine = r.items.filter((i) => i.compliant && !i.reasons.length);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Alt text accessibility audit, ${esc(r.generatedAt.slice(0, 10))}</title><style>${STYLE}</style></head>
<body><main>
<h1>Alt text accessibility audit</h1>
<p>Generated ${esc(r.generatedAt)}. Checked against WCAG 2.2 success criterion 1.1.1 Non-text Content (level A). Alt text longer than ${r.limits.maxLength} characters is too long; the same text on ${
    r.limits.duplicateMin
  } or more images is a duplicate.${r.scope === 'attention' ? ' The lists show only the images that need attention.' : ''}</p>
<h2>Summary</h2>
<dl class="summary">
<dt>Images</dt><dd>${t.images}</dd>
<dt>Compliant</dt><dd>${t.compliant} (${pct(t.compliant, t.images)})</dd>
<dt>Decorative (marked by an editor)</dt><dd>${t.decorative}</dd>
<dt>Alt text by a person</dt><dd>${r.coverage.human}</dd>
<dt>Machine alt text, approved</dt><dd>${r.coverage.machineApproved}</dd>
<dt>Machine alt text, not reviewed</dt><dd>${r.coverage.machineUnreviewed}</dd>
<dt>No alt text</dt><dd>${r.coverage.none}</dd>
</dl>
<h2>Rules</h2>
<table><thead><tr><th>Rule</th><th>What it means</th><th>WCAG</th><th class="n">Images</th></tr></thead><tbody>${r.rules
    .map((x) => `<tr><td>${esc(x.title)}</td><td>${esc(x.explanation)}</td><td><a href="${esc(x.url)}">${esc(x.wcag)}</a></td><td class="n">${t.byRule[x.id] ?? 0}</td></tr>`)
    .join('')}</tbody></table>
<h2>Per content type</h2>
${
  r.byContentType.length
    ? `<table><thead><tr><th>Content type</th><th class="n">Images used</th><th class="n">Compliant</th></tr></thead><tbody>${r.byContentType
        .map((c) => `<tr><td>${esc(c.contentTypeName)}</td><td class="n">${c.images}</td><td class="n">${c.compliant} (${pct(c.compliant, c.images)})</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>No entry uses an image.</p>'
}
<h2>Progress</h2>
${chartSvg(r.history, r.rules)}
<table><thead><tr><th>Day</th><th class="n">Images</th><th class="n">Compliant</th><th class="n">Decorative</th></tr></thead><tbody>${r.history
    .map(
      (h) =>
        `<tr><td>${esc(h.day)}</td><td class="n">${h.totals.images}</td><td class="n">${h.totals.compliant} (${pct(h.totals.compliant, h.totals.images)})</td><td class="n">${h.totals.decorative}</td></tr>`,
    )
    .join('')}</tbody></table>
${list('Images that need attention', attention)}
${list('Compliant images', fine)}
${r.items.length > MAX_THUMBNAILS ? `<p>Thumbnails are shown for the first ${MAX_THUMBNAILS} images.</p>` : ''}
</main></body>
</html>
`;
}
