/**
 * The accessibility audit: every image in the Media Library sorted into one of four kinds of alt
 * text, and what needs an editor's attention, as JSON or as a CSV / JSON file to hand on.
 *
 * - human: the file has alt text a person wrote (typed in the Media Library, or an edited caption);
 * - machineApproved: the alt text is a machine caption an editor approved unchanged;
 * - machineUnreviewed: the alt text is the plugin's caption, not reviewed yet;
 * - none: no alt text (caption queued, failed, rejected, or never asked for).
 *
 * Attention reasons: no-alt-text, unreviewed, failed (the last caption job failed), low-confidence
 * (machine text on the file, or an unreviewed suggestion, below the confidence threshold).
 */
import type { Core, UID } from '@strapi/strapi';
import { CAPTION_UID } from '../content-types/caption';
import { AltKind, AUDIT_REASONS, AuditItem, AuditReason, AuditReport, Coverage } from '../contracts';
import { InvalidInput } from '../errors';
import { FILE_UID, pluginConfig, UploadFile } from '../utils';
import type { CaptionRow } from './captions';

const blank = (s: string | null | undefined) => !s || !s.trim();

export function classify(file: UploadFile, row: CaptionRow | null, lowConfidence: number): AuditItem {
  const alt = file.alternativeText;
  let kind: AltKind;
  if (blank(alt)) kind = 'none';
  else if (row?.machineAlt && alt === row.machineAlt) kind = 'machineUnreviewed';
  else if (row && row.status === 'approved' && row.source === 'machine' && alt === row.text) kind = 'machineApproved';
  else kind = 'human';
  const reasons: AuditReason[] = [];
  if (kind === 'none') reasons.push('no-alt-text');
  if (kind === 'machineUnreviewed' || (kind === 'none' && row?.status === 'suggested')) reasons.push('unreviewed');
  if (row?.status === 'failed' && kind !== 'human' && kind !== 'machineApproved') reasons.push('failed');
  const machineOnFile = kind === 'machineUnreviewed' || (kind === 'none' && row?.status === 'suggested');
  if (machineOnFile && row?.confidence !== null && row?.confidence !== undefined && row.confidence < lowConfidence) reasons.push('low-confidence');
  return {
    fileId: file.id,
    fileName: file.name,
    url: file.url,
    thumbnailUrl: file.formats?.thumbnail?.url ?? file.url,
    kind,
    alternativeText: alt ?? null,
    captionId: row?.documentId ?? null,
    captionStatus: row?.status ?? null,
    captionText: row?.text ?? null,
    confidence: row?.confidence ?? null,
    bundle: row?.bundle ? `${row.bundle}@${row.bundleVersion}` : null,
    error: row?.error ?? null,
    reviewedBy: row?.reviewedBy ?? null,
    reviewedAt: row?.reviewedAt ? new Date(row.reviewedAt).toISOString() : null,
    reasons,
  };
}

/** RFC 4180: fields with a comma, quote, CR or LF (or edge spaces) quoted, quotes doubled; CRLF line ends. */
export function toCsv(header: string[], rows: unknown[][]): string {
  const field = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = Array.isArray(v) ? v.join(';') : String(v);
    // A text cell starting with = + - @ would be run as a formula by spreadsheets: prefix a quote.
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

function coverageOf(items: AuditItem[]): Coverage {
  const coverage = { images: items.length, human: 0, machineApproved: 0, machineUnreviewed: 0, none: 0 };
  for (const i of items) coverage[i.kind]++;
  return coverage;
}

export const EXPORT_COLUMNS: (keyof AuditItem)[] = ['fileId', 'fileName', 'url', 'kind', 'alternativeText', 'captionStatus', 'captionText', 'confidence', 'bundle', 'reviewedBy', 'reviewedAt', 'error', 'reasons'];

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const threshold = () => pluginConfig(strapi).lowConfidence;

  /** Every image with its caption row, classified, in file id order. */
  async function items(lowConfidence: number): Promise<AuditItem[]> {
    const files = (await strapi.db.query(FILE_UID).findMany({
      where: { mime: { $startsWith: 'image/' } },
      select: ['id', 'name', 'url', 'mime', 'alternativeText', 'formats'],
      orderBy: { id: 'asc' },
    })) as UploadFile[];
    const rows = (await strapi.db.query(CAPTION_UID as UID.Schema).findMany({})) as CaptionRow[];
    const byFile = new Map(rows.map((r) => [r.fileId, r]));
    return files.map((f) => classify(f, byFile.get(f.id) ?? null, lowConfidence));
  }

  function thresholdFrom(raw: unknown): number {
    if (raw === undefined || raw === '') return threshold();
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new InvalidInput('lowConfidence must be a number');
    return n;
  }

  function reasonFrom(raw: unknown): AuditReason | undefined {
    if (raw === undefined || raw === '') return undefined;
    if (!AUDIT_REASONS.includes(raw as AuditReason)) throw new InvalidInput(`reason must be one of ${AUDIT_REASONS.join(', ')}`);
    return raw as AuditReason;
  }

  return {
    async report(q: { page: number; pageSize: number; lowConfidence?: unknown; reason?: unknown }): Promise<AuditReport> {
      const low = thresholdFrom(q.lowConfidence);
      const reason = reasonFrom(q.reason);
      const all = await items(low);
      const coverage = coverageOf(all);
      const byReason = Object.fromEntries(AUDIT_REASONS.map((r) => [r, 0])) as Record<AuditReason, number>;
      for (const i of all) for (const r of i.reasons) byReason[r]++;
      const needing = all.filter((i) => i.reasons.length && (!reason || i.reasons.includes(reason)));
      return {
        coverage,
        lowConfidence: low,
        attention: {
          total: all.filter((i) => i.reasons.length).length,
          byReason,
          results: needing.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
          pagination: { page: q.page, pageSize: q.pageSize, total: needing.length, pageCount: Math.ceil(needing.length / q.pageSize) },
        },
      };
    },

    /** The export file: every image (scope 'all') or only those needing attention. */
    async export(format: unknown, scope: unknown, lowConfidence?: unknown): Promise<{ body: string; type: string; filename: string }> {
      if (format !== 'csv' && format !== 'json') throw new InvalidInput('format must be csv or json');
      if (scope !== undefined && scope !== 'all' && scope !== 'attention') throw new InvalidInput('scope must be all or attention');
      const low = thresholdFrom(lowConfidence);
      const all = await items(low);
      const chosen = scope === 'attention' ? all.filter((i) => i.reasons.length) : all;
      const stamp = new Date().toISOString().slice(0, 10);
      const filename = `alt-text-audit-${stamp}.${format}`;
      if (format === 'json') {
        return { body: JSON.stringify({ generatedAt: new Date().toISOString(), lowConfidence: low, coverage: coverageOf(all), items: chosen }, null, 2), type: 'application/json; charset=utf-8', filename };
      }
      return { body: toCsv(EXPORT_COLUMNS, chosen.map((i) => EXPORT_COLUMNS.map((c) => i[c]))), type: 'text/csv; charset=utf-8', filename };
    },
  };
};
