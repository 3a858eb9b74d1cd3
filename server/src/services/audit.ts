/**
 * The accessibility audit: every image in the Media Library sorted into one of four kinds of alt
 * text, and what needs an editor's attention, as JSON or as a CSV / JSON file to hand on.
 *
 * - human: the file has alt text a person wrote (typed in the Media Library, or an edited caption);
 * - machineApproved: the alt text is a machine caption an editor approved unchanged;
 * - machineUnreviewed: the alt text is the plugin's caption, not reviewed yet;
 * - none: no alt text (caption queued, failed, rejected, or never asked for).
 *
 * Attention reasons: no-alt-text, unreviewed, needs-review (the publishing policy withheld the
 * caption from a file without alt text), failed (the last caption job failed), low-confidence (machine
 * text on the file, or a caption waiting for review, that is low quality as policy.isLow defines it).
 */
import type { Core, UID } from '@strapi/strapi';
import { CAPTION_UID } from '../content-types/caption';
import { AltKind, AUDIT_REASONS, AuditItem, AuditReason, AuditReport, CaptionStatus, Coverage, ReviewReason } from '../contracts';
import { InvalidInput } from '../errors';
import { lowSql, thresholdOf } from '../policy';
import { FILE_UID, getService, pluginConfig } from '../utils';

/**
 * A spreadsheet runs a cell starting with = + - @ (or tab / CR, which some strip first) as a
 * formula: such text gets a leading quote. Numbers stay numbers (-1.5 is no formula).
 */
const cell = (v: unknown): string => (typeof v === 'number' ? String(v) : String(v).replace(/^[=+\-@\t\r]/, "'$&"));

/** RFC 4180 with every field quoted (quotes doubled) and formula text defused; CRLF line ends. Lists are joined by ';'. */
export function toCsv(header: string[], rows: unknown[][]): string {
  const field = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.map(cell).join(';') : cell(v);
    return `"${s.replace(/"/g, '""')}"`;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

export const EXPORT_COLUMNS: (keyof AuditItem)[] = [
  'fileId',
  'fileName',
  'url',
  'kind',
  'alternativeText',
  'captionStatus',
  'captionText',
  'confidence',
  'quality',
  'reviewReason',
  'bundle',
  'reviewedBy',
  'reviewedAt',
  'error',
  'reasons',
];

/** Rows per query of the export: it reads the library a page at a time, never all of it at once. */
const EXPORT_PAGE = 500;

/** The column of the classified rows that says whether each reason applies. */
const FLAG: Record<AuditReason, string> = { 'no-alt-text': 'no_alt_text', unreviewed: 'unreviewed', 'needs-review': 'needs_review', failed: 'failed', 'low-confidence': 'low_confidence' };
const NEEDS_ATTENTION = `(${AUDIT_REASONS.map((r) => FLAG[r]).join(' or ')})`;

/** One image with its caption row, classified in SQL (see classifiedSql). */
interface ClassifiedRow {
  file_id: number;
  file_name: string;
  url: string;
  formats: { thumbnail?: { url: string } } | null;
  alternative_text: string | null;
  caption_id: string | null;
  status: CaptionStatus | null;
  text: string | null;
  confidence: number | null;
  quality: number | null;
  review_reason: ReviewReason | null;
  bundle: string | null;
  bundle_version: string | null;
  error: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  kind: AltKind;
  no_alt_text: boolean;
  unreviewed: boolean;
  needs_review: boolean;
  failed: boolean;
  low_confidence: boolean;
}

/**
 * `x`: every image with its caption row, its kind and one boolean column per reason, as a CTE (two
 * bindings: the quality and the low-confidence thresholds). The rules of the module comment, in SQL, so the audit of
 * any library is counted and paged by PostgreSQL rather than loaded into Strapi.
 */
function classifiedSql(files: string, captions: string): string {
  const blank = `coalesce(f.alternative_text, '') ~ '^[[:space:]]*$'`;
  const machineOnFile = `(a.kind = 'machineUnreviewed' or (a.kind = 'none' and coalesce(a.status = 'suggested', false)))`;
  const withheld = `(a.kind = 'none' and coalesce(a.status = 'needs-review', false))`;
  return `with x as (
    select a.*,
      a.kind = 'none' as no_alt_text,
      ${machineOnFile} as unreviewed,
      ${withheld} as needs_review,
      coalesce(a.status = 'failed', false) and a.kind in ('none', 'machineUnreviewed') as failed,
      (${machineOnFile} or ${withheld}) and ${lowSql('a')} as low_confidence
    from (
      select f.id as file_id, f.name as file_name, f.url, f.formats, f.alternative_text,
        c.document_id as caption_id, c.status, c.text, c.confidence, c.quality, c.review_reason, c.bundle, c.bundle_version, c.error, c.reviewed_by, c.reviewed_at,
        case
          when ${blank} then 'none'
          when coalesce(c.machine_alt, '') <> '' and f.alternative_text = c.machine_alt then 'machineUnreviewed'
          when c.status = 'approved' and c.source = 'machine' and f.alternative_text = c.text then 'machineApproved'
          else 'human'
        end as kind
      from "${files}" f left join "${captions}" c on c.file_id = f.id
      where f.mime like 'image/%'
    ) a
  )`;
}

function item(r: ClassifiedRow): AuditItem {
  return {
    fileId: r.file_id,
    fileName: r.file_name,
    url: r.url,
    thumbnailUrl: r.formats?.thumbnail?.url ?? r.url,
    kind: r.kind,
    alternativeText: r.alternative_text,
    captionId: r.caption_id,
    captionStatus: r.status,
    captionText: r.text,
    confidence: r.confidence,
    quality: r.quality,
    reviewReason: r.review_reason,
    bundle: r.bundle ? `${r.bundle}@${r.bundle_version}` : null,
    error: r.error,
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
    reasons: AUDIT_REASONS.filter((reason) => r[FLAG[reason] as keyof ClassifiedRow]),
  };
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const threshold = () => pluginConfig(strapi).lowConfidence;
  /** The quality threshold in force, as the Captions page's filter uses it. */
  const minQuality = async () => {
    const s = await getService(strapi, 'settings').get();
    return thresholdOf(s, getService(strapi, 'bundles').domainOf(s.bundle));
  };
  const table = (uid: string) => strapi.db.metadata.get(uid as UID.Schema).tableName;
  const withClassified = () => classifiedSql(table(FILE_UID), table(CAPTION_UID));

  async function query<T>(sql: string, bindings: readonly (string | number)[]): Promise<T[]> {
    return ((await strapi.db.connection.raw(sql, bindings)) as { rows: T[] }).rows;
  }

  /** Coverage, the attention total, the count per reason and of those with `reason` (all needing attention when none). */
  async function counts(t: [minQuality: number, low: number], reason?: AuditReason): Promise<{ coverage: Coverage; total: number; byReason: Record<AuditReason, number>; needing: number }> {
    const [c] = await query<Record<string, number>>(
      `${withClassified()} select
        count(*)::int as images,
        ${(['human', 'machineApproved', 'machineUnreviewed', 'none'] as const).map((k) => `count(*) filter (where kind = '${k}')::int as "${k}"`).join(', ')},
        count(*) filter (where ${NEEDS_ATTENTION})::int as attention,
        ${AUDIT_REASONS.map((r) => `count(*) filter (where ${FLAG[r]})::int as "${r}"`).join(', ')},
        count(*) filter (where ${reason ? FLAG[reason] : NEEDS_ATTENTION})::int as needing
      from x`,
      t,
    );
    return {
      coverage: { images: c.images, human: c.human, machineApproved: c.machineApproved, machineUnreviewed: c.machineUnreviewed, none: c.none },
      total: c.attention,
      byReason: Object.fromEntries(AUDIT_REASONS.map((r) => [r, c[r]])) as Record<AuditReason, number>,
      needing: c.needing,
    };
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
      const t: [number, number] = [await minQuality(), low];
      const [c, page] = await Promise.all([
        counts(t, reason),
        query<ClassifiedRow>(`${withClassified()} select * from x where ${reason ? FLAG[reason] : NEEDS_ATTENTION} order by file_id limit ? offset ?`, [...t, q.pageSize, (q.page - 1) * q.pageSize]),
      ]);
      return {
        coverage: c.coverage,
        lowConfidence: low,
        minQuality: t[0],
        attention: {
          total: c.total,
          byReason: c.byReason,
          results: page.map(item),
          pagination: { page: q.page, pageSize: q.pageSize, total: c.needing, pageCount: Math.ceil(c.needing / q.pageSize) },
        },
      };
    },

    /** The export file: every image (scope 'all') or only those needing attention, read in pages by file id. */
    async export(format: unknown, scope: unknown, lowConfidence?: unknown): Promise<{ body: string; type: string; filename: string }> {
      if (format !== 'csv' && format !== 'json') throw new InvalidInput('format must be csv or json');
      if (scope !== undefined && scope !== 'all' && scope !== 'attention') throw new InvalidInput('scope must be all or attention');
      const low = thresholdFrom(lowConfidence);
      const t: [number, number] = [await minQuality(), low];
      const chosen: AuditItem[] = [];
      for (let after = 0; ; ) {
        const rows = await query<ClassifiedRow>(`${withClassified()} select * from x where file_id > ?${scope === 'attention' ? ` and ${NEEDS_ATTENTION}` : ''} order by file_id limit ?`, [
          ...t,
          after,
          EXPORT_PAGE,
        ]);
        chosen.push(...rows.map(item));
        if (rows.length < EXPORT_PAGE) break;
        after = rows[rows.length - 1].file_id;
      }
      const stamp = new Date().toISOString().slice(0, 10);
      const filename = `alt-text-audit-${stamp}.${format}`;
      if (format === 'json') {
        const { coverage } = await counts(t);
        return {
          body: JSON.stringify({ generatedAt: new Date().toISOString(), lowConfidence: low, minQuality: t[0], coverage, items: chosen }, null, 2),
          type: 'application/json; charset=utf-8',
          filename,
        };
      }
      return {
        body: toCsv(
          EXPORT_COLUMNS,
          chosen.map((i) => EXPORT_COLUMNS.map((c) => i[c])),
        ),
        type: 'text/csv; charset=utf-8',
        filename,
      };
    },
  };
};
