/**
 * The accessibility audit: every image in the Media Library sorted by who wrote its alt text, checked
 * against the alt-text rules (alt-rules.ts), with the entries that use it, and what needs an editor's
 * attention; as JSON, or as a CSV / JSON / HTML file to hand on. A snapshot of the totals is kept
 * per day for the progress chart.
 *
 * - human: the file has alt text a person wrote (typed in the Media Library, or an edited caption);
 * - machineApproved: the alt text is a machine caption an editor approved unchanged;
 * - machineUnreviewed: the alt text is the plugin's caption, not reviewed yet;
 * - decorative: no alt text, on purpose (an editor marked the image decorative);
 * - none: no alt text (caption queued, failed, rejected, or never asked for).
 *
 * An image is compliant when it breaks no rule: decorative, or alt text that passes them all.
 * Attention: a broken rule, or a workflow reason: no-alt-text, unreviewed, needs-review (the
 * publishing policy withheld the caption from a file without alt text), failed (the last caption job
 * failed), low-confidence (machine text on the file, or a caption waiting for review, that is low
 * quality as policy.isLow defines it).
 *
 * Everything is computed and paged by PostgreSQL (one query per page of results, the counts in
 * another); the exports read the library a page at a time.
 */
import type { Core, UID } from '@strapi/strapi';
import { randomUUID } from 'crypto';
import { normalisedAlt, RuleLimits, ruleSql } from '../alt-rules';
import { auditHtml, HtmlReport } from '../audit-html';
import { SNAPSHOT_UID } from '../content-types/audit-snapshot';
import { CAPTION_UID } from '../content-types/caption';
import { DECORATIVE_UID } from '../content-types/decorative';
import {
  ALT_KINDS,
  ALT_RULE_IDS,
  ALT_RULES,
  AltKind,
  AltRuleId,
  AUDIT_REASONS,
  AUDIT_RULE_LIMITS,
  AuditItem,
  AuditReason,
  AuditReport,
  AuditSnapshot,
  AuditTotals,
  CaptionStatus,
  ContentTypeTotals,
  Coverage,
  DomainVerdictName,
  ReviewReason,
  UsageEntry,
} from '../contracts';
import { InvalidInput } from '../errors';
import { optionalWhole } from '../input';
import { lowSql, thresholdOf } from '../policy';
import { contentTypes, usageSql } from '../usage-sql';
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

/** The CSV's columns: the item's fields, then what the rules, the decorative mark and the usage add. */
export const EXPORT_COLUMNS: [string, (i: AuditItem) => unknown][] = [
  ...(
    ['fileId', 'fileName', 'url', 'kind', 'alternativeText', 'captionStatus', 'captionText', 'confidence', 'quality', 'reviewReason', 'bundle', 'reviewedBy', 'reviewedAt', 'error', 'reasons'] as const
  ).map((k): [string, (i: AuditItem) => unknown] => [k, (i) => i[k]]),
  ['rules', (i) => i.rules],
  ['compliant', (i) => String(i.compliant)],
  ['decorativeReason', (i) => i.decorative?.reason ?? null],
  ['domainVerdict', (i) => i.domainVerdict],
  ['entries', (i) => i.entries],
  ['publishedEntries', (i) => i.publishedEntries],
];

/** Entries listed per image in a page of the report. */
const USED_IN_MAX = 20;

/** Rows per fetch from the exports' cursor (PostgreSQL classifies the library once and hands it over in pages). */
const EXPORT_PAGE = 500;

/** The column of the classified rows that says whether each reason or rule applies. */
const FLAG: Record<AuditReason, string> = { 'no-alt-text': 'no_alt_text', unreviewed: 'unreviewed', 'needs-review': 'needs_review', failed: 'failed', 'low-confidence': 'low_confidence' };
const RULE = (id: AltRuleId) => `"rule:${id}"`;
const NEEDS_ATTENTION = `(not compliant or ${AUDIT_REASONS.map((r) => FLAG[r]).join(' or ')})`;
/** Images on published entries first, then on drafts, then unused; oldest first within each. */
const ORDER = 'published_entries > 0 desc, entries > 0 desc, file_id';

/** One image with its caption row and decorative mark, classified in SQL (see withClassified); json_agg's copy has its dates as strings. */
type ClassifiedRow = {
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
  domain_verdict: DomainVerdictName | null;
  bundle: string | null;
  bundle_version: string | null;
  error: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | string | null;
  decorative: boolean;
  decorative_reason: string | null;
  marked_by: string | null;
  marked_at: Date | string | null;
  kind: AltKind;
  entries: number;
  published_entries: number;
  compliant: boolean;
} & Record<string, boolean>;

/** What a report or an export was asked for, checked. */
interface Options {
  /** [minQuality, lowConfidence]: the bindings of withClassified. */
  t: [number, number];
  limits: RuleLimits;
}

const NO_USAGE = 'select null::int as file_id, null::text as content_type, null::text as document_id, false as published, null::text as field where false';

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
    domainVerdict: r.domain_verdict,
    bundle: r.bundle ? `${r.bundle}@${r.bundle_version}` : null,
    error: r.error,
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
    reasons: AUDIT_REASONS.filter((reason) => r[FLAG[reason]]),
    rules: ALT_RULE_IDS.filter((id) => r[`rule:${id}`]),
    compliant: r.compliant,
    decorative: r.decorative && r.marked_at ? { reason: r.decorative_reason ?? '', markedBy: r.marked_by, markedAt: new Date(r.marked_at).toISOString() } : null,
    entries: r.entries,
    publishedEntries: r.published_entries,
  };
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  /** The quality threshold in force, as the Captions page's filter uses it. */
  const minQuality = async () => {
    const s = await getService(strapi, 'settings').get();
    return thresholdOf(s, getService(strapi, 'bundles').domainOf(s.bundle));
  };
  const table = (uid: string) => strapi.db.metadata.get(uid as UID.Schema).tableName;
  const usage = () => `u as (${usageSql(strapi) ?? NO_USAGE})`;

  /**
   * `x`: every image with its caption row, decorative mark, kind, usage counts and one boolean column
   * per reason and per rule, as CTEs (two bindings: the quality and the low-confidence thresholds).
   */
  function withClassified(limits: RuleLimits): string {
    const blank = `coalesce(f.alternative_text, '') ~ '^[[:space:]]*$'`;
    const machineOnFile = `(r.kind = 'machineUnreviewed' or (r.kind = 'none' and coalesce(r.status = 'suggested', false)))`;
    const withheld = `(r.kind = 'none' and coalesce(r.status = 'needs-review', false))`;
    const rules = ruleSql({ alt: 'r.alternative_text', name: 'r.file_name', same: 'r.same', decorative: 'r.decorative' }, limits);
    return `with ${usage()},
    ug as (
      select file_id, count(distinct content_type || ':' || document_id)::int as entries,
        (count(distinct content_type || ':' || document_id) filter (where published))::int as published_entries
      from u group by file_id
    ),
    r as (
      select f.id as file_id, f.name as file_name, f.url, f.formats, f.alternative_text,
        c.document_id as caption_id, c.status, c.text, c.confidence, c.quality, c.review_reason, c.domain_verdict, c.bundle, c.bundle_version, c.error, c.reviewed_by, c.reviewed_at,
        d.id is not null as decorative, d.reason as decorative_reason, d.marked_by, d.updated_at as marked_at,
        case
          when ${blank} then (case when d.id is not null then 'decorative' else 'none' end)
          when coalesce(c.machine_alt, '') <> '' and f.alternative_text = c.machine_alt then 'machineUnreviewed'
          when c.status = 'approved' and c.source = 'machine' and f.alternative_text = c.text then 'machineApproved'
          else 'human'
        end as kind,
        count(*) over (partition by ${normalisedAlt('f.alternative_text')}) as same
      from "${table(FILE_UID)}" f left join "${table(CAPTION_UID)}" c on c.file_id = f.id left join "${table(DECORATIVE_UID)}" d on d.file_id = f.id
      where f.mime like 'image/%'
    ),
    k as (
      select r.*, coalesce(ug.entries, 0) as entries, coalesce(ug.published_entries, 0) as published_entries,
        r.kind = 'none' as no_alt_text,
        ${machineOnFile} as unreviewed,
        ${withheld} as needs_review,
        coalesce(r.status = 'failed', false) and r.kind in ('none', 'machineUnreviewed') as failed,
        (${machineOnFile} or ${withheld}) and ${lowSql('r')} as low_confidence,
        ${ALT_RULE_IDS.map((id) => `${rules[id]} as ${RULE(id)}`).join(',\n        ')}
      from r left join ug on ug.file_id = r.file_id
    ),
    x as (select k.*, not (${ALT_RULE_IDS.map(RULE).join(' or ')}) as compliant from k)`;
  }

  async function query<T>(sql: string, bindings: readonly (string | number | number[])[]): Promise<T[]> {
    return ((await strapi.db.connection.raw(sql, bindings)) as { rows: T[] }).rows;
  }

  async function options(q: { lowConfidence?: unknown; maxLength?: unknown; duplicateMin?: unknown }): Promise<Options> {
    let low = pluginConfig(strapi).lowConfidence;
    if (q.lowConfidence !== undefined && q.lowConfidence !== '') {
      low = Number(q.lowConfidence);
      if (!Number.isFinite(low)) throw new InvalidInput('lowConfidence must be a number');
    }
    const { maxLength, duplicateMin } = AUDIT_RULE_LIMITS;
    return {
      t: [await minQuality(), low],
      limits: {
        maxLength: optionalWhole('maxLength', q.maxLength, maxLength.range) ?? maxLength.default,
        duplicateMin: optionalWhole('duplicateMin', q.duplicateMin, duplicateMin.range) ?? duplicateMin.default,
      },
    };
  }

  /**
   * One query, so PostgreSQL classifies the library once: coverage and totals, the number of images
   * needing attention and of those matching `filter` (all needing attention when none), the totals
   * per content type, and, given `page`, that page of the matching images in ORDER.
   */
  async function summary(
    o: Options,
    filter = NEEDS_ATTENTION,
    page?: { page: number; pageSize: number },
  ): Promise<{ coverage: Coverage; totals: AuditTotals; attention: number; matching: number; byContentType: ContentTypeTotals[]; rows: ClassifiedRow[] }> {
    const [{ c, per_type, rows }] = await query<{ c: Record<string, number>; per_type: { content_type: string; images: number; compliant: number }[]; rows: ClassifiedRow[] | null }>(
      `${withClassified(o.limits)} select
        (select row_to_json(c) from (select
          count(*)::int as images,
          ${ALT_KINDS.map((k) => `count(*) filter (where kind = '${k}')::int as "${k}"`).join(', ')},
          count(*) filter (where compliant)::int as compliant,
          count(*) filter (where decorative)::int as decorative,
          ${AUDIT_REASONS.map((r) => `count(*) filter (where ${FLAG[r]})::int as "${r}"`).join(', ')},
          ${ALT_RULE_IDS.map((id) => `count(*) filter (where ${RULE(id)})::int as ${RULE(id)}`).join(', ')},
          count(*) filter (where ${NEEDS_ATTENTION})::int as attention,
          count(*) filter (where ${filter})::int as matching
        from x) c) as c,
        (select coalesce(json_agg(t order by t.content_type), '[]') from (
          select u.content_type, count(distinct x.file_id)::int as images, (count(distinct x.file_id) filter (where x.compliant))::int as compliant
          from u join x on x.file_id = u.file_id group by u.content_type
        ) t) as per_type,
        ${page ? `(select json_agg(p order by ${ORDER}) from (select * from x where ${filter} order by ${ORDER} limit ? offset ?) p)` : 'null'} as rows`,
      page ? [...o.t, page.pageSize, (page.page - 1) * page.pageSize] : o.t,
    );
    const names = new Map(contentTypes(strapi).map((t) => [t.uid, t.name]));
    return {
      coverage: { images: c.images, ...(Object.fromEntries(ALT_KINDS.map((k) => [k, c[k]])) as Record<AltKind, number>) },
      totals: {
        images: c.images,
        compliant: c.compliant,
        decorative: c.decorative,
        byRule: Object.fromEntries(ALT_RULE_IDS.map((id) => [id, c[`rule:${id}`]])) as Record<AltRuleId, number>,
        byReason: Object.fromEntries(AUDIT_REASONS.map((r) => [r, c[r]])) as Record<AuditReason, number>,
      },
      attention: c.attention,
      matching: c.matching,
      byContentType: per_type.map((r) => ({ contentType: r.content_type, contentTypeName: names.get(r.content_type) ?? r.content_type, images: r.images, compliant: r.compliant })),
      rows: rows ?? [],
    };
  }

  /** The entries using each of `fileIds`, published ones first, at most USED_IN_MAX each (entries counts them all). */
  async function entriesOf(fileIds: number[]): Promise<Map<number, UsageEntry[]>> {
    const out = new Map<number, UsageEntry[]>();
    if (!fileIds.length) return out;
    const rows = await query<{ file_id: number; content_type: string; document_id: string; field: string; published: boolean }>(
      `with ${usage()},
      g as (select file_id, content_type, document_id, field, bool_or(published) as published from u where file_id = any(?) group by file_id, content_type, document_id, field),
      n as (select g.*, row_number() over (partition by file_id order by published desc, content_type, document_id, field) as n from g)
      select * from n where n <= ${USED_IN_MAX} order by file_id, n`,
      [fileIds],
    );
    const types = new Map(contentTypes(strapi).map((c) => [c.uid, c]));
    for (const r of rows) {
      const ct = types.get(r.content_type);
      const list = out.get(r.file_id) ?? [];
      list.push({ contentType: r.content_type, contentTypeName: ct?.name ?? r.content_type, kind: ct?.kind ?? 'collectionType', documentId: r.document_id, field: r.field, published: r.published });
      out.set(r.file_id, list);
    }
    return out;
  }

  /** Asked with the standard thresholds: only such an audit is the day's figure (a what-if with its own limits leaves the chart alone). */
  const standard = (q: { lowConfidence?: unknown; maxLength?: unknown; duplicateMin?: unknown }) => [q.lowConfidence, q.maxLength, q.duplicateMin].every((v) => v === undefined || v === '');

  /** Today's snapshot (the day in UTC) becomes `totals`: the day's last standard audit wins. */
  async function snapshot(totals: AuditTotals): Promise<void> {
    await strapi.db.connection.raw(
      `insert into "${table(SNAPSHOT_UID)}" (document_id, day, totals, created_at, updated_at) values (?, ?, ?::jsonb, now(), now())
      on conflict (day) do update set totals = excluded.totals, updated_at = now()`,
      [randomUUID(), new Date().toISOString().slice(0, 10), JSON.stringify(totals)],
    );
  }

  /** The snapshots of the last `days` days, oldest first. */
  async function history(days = 365): Promise<AuditSnapshot[]> {
    // As text: Strapi's PostgreSQL client leaves json columns unparsed.
    const rows = await query<{ day: string; totals: string }>(`select to_char(day, 'YYYY-MM-DD') as day, totals::text from "${table(SNAPSHOT_UID)}" where day > current_date - ?::int order by day`, [
      days,
    ]);
    return rows.map((r) => ({ day: r.day, totals: JSON.parse(r.totals) as AuditTotals }));
  }

  /**
   * Every image (scope 'all') or those needing attention, in file id order, read a page at a time
   * through a cursor: PostgreSQL classifies the library once, not once per page.
   */
  async function eachPage(o: Options, scope: 'all' | 'attention', page: (items: AuditItem[]) => void): Promise<void> {
    await strapi.db.transaction(async ({ trx }) => {
      await trx.raw(`declare audit_export no scroll cursor for ${withClassified(o.limits)} select * from x${scope === 'attention' ? ` where ${NEEDS_ATTENTION}` : ''} order by file_id`, o.t);
      for (;;) {
        const { rows } = (await trx.raw(`fetch ${EXPORT_PAGE} from audit_export`)) as { rows: ClassifiedRow[] };
        page(rows.map(item));
        if (rows.length < EXPORT_PAGE) break;
      }
      await trx.raw('close audit_export');
    });
  }

  /** The list asked for: one workflow reason, one rule, the decorative images, or (none given) all needing attention. */
  function filterFrom(reason: unknown, rule: unknown, decorative: unknown): string {
    if (decorative === 'true') return 'decorative';
    if (reason !== undefined && reason !== '') {
      if (!AUDIT_REASONS.includes(reason as AuditReason)) throw new InvalidInput(`reason must be one of ${AUDIT_REASONS.join(', ')}`);
      return FLAG[reason as AuditReason];
    }
    if (rule !== undefined && rule !== '') {
      if (!ALT_RULE_IDS.includes(rule as AltRuleId)) throw new InvalidInput(`rule must be one of ${ALT_RULE_IDS.join(', ')}`);
      return RULE(rule as AltRuleId);
    }
    return NEEDS_ATTENTION;
  }

  return {
    async report(q: {
      page: number;
      pageSize: number;
      lowConfidence?: unknown;
      reason?: unknown;
      rule?: unknown;
      decorative?: unknown;
      maxLength?: unknown;
      duplicateMin?: unknown;
    }): Promise<AuditReport> {
      const o = await options(q);
      const filter = filterFrom(q.reason, q.rule, q.decorative);
      const c = await summary(o, filter, q);
      if (standard(q)) await snapshot(c.totals);
      const [used, past] = await Promise.all([entriesOf(c.rows.map((r) => r.file_id)), history()]);
      return {
        coverage: c.coverage,
        totals: c.totals,
        rules: ALT_RULE_IDS.map((id) => ALT_RULES[id]),
        limits: o.limits,
        lowConfidence: o.t[1],
        minQuality: o.t[0],
        byContentType: c.byContentType,
        history: past,
        attention: {
          total: c.attention,
          byReason: c.totals.byReason,
          results: c.rows.map((r) => ({ ...item(r), usedIn: used.get(r.file_id) ?? [] })),
          pagination: { page: q.page, pageSize: q.pageSize, total: c.matching, pageCount: Math.ceil(c.matching / q.pageSize) },
        },
      };
    },

    /** Records today's totals; the plugin calls it daily, so the chart has a point for days nobody opened the audit. */
    async snapshotNow(): Promise<AuditTotals> {
      const { totals } = await summary(await options({}));
      await snapshot(totals);
      return totals;
    },

    /** The export file: every image (scope 'all') or only those needing attention. */
    async export(q: { format?: unknown; scope?: unknown; lowConfidence?: unknown; maxLength?: unknown; duplicateMin?: unknown }): Promise<{ body: string; type: string; filename: string }> {
      const format = q.format ?? 'csv';
      if (format !== 'csv' && format !== 'json' && format !== 'html') throw new InvalidInput('format must be csv, json or html');
      if (q.scope !== undefined && q.scope !== 'all' && q.scope !== 'attention') throw new InvalidInput('scope must be all or attention');
      const scope: HtmlReport['scope'] = q.scope === 'attention' ? 'attention' : 'all';
      const o = await options(q);
      const chosen: AuditItem[] = [];
      await eachPage(o, scope, (page) => chosen.push(...page));
      const stamp = new Date().toISOString().slice(0, 10);
      const filename = `alt-text-audit-${stamp}.${format}`;
      if (format === 'csv')
        return {
          body: toCsv(
            EXPORT_COLUMNS.map(([name]) => name),
            chosen.map((i) => EXPORT_COLUMNS.map(([, value]) => value(i))),
          ),
          type: 'text/csv; charset=utf-8',
          filename,
        };
      const { coverage, totals, byContentType } = await summary(o);
      if (standard(q)) await snapshot(totals);
      const past = await history();
      const report = {
        generatedAt: new Date().toISOString(),
        scope,
        lowConfidence: o.t[1],
        minQuality: o.t[0],
        limits: o.limits,
        rules: ALT_RULE_IDS.map((id) => ALT_RULES[id]),
        coverage,
        totals,
        byContentType,
        history: past,
        items: chosen,
      };
      if (format === 'json') return { body: JSON.stringify(report, null, 2), type: 'application/json; charset=utf-8', filename };
      return { body: await auditHtml(strapi, report), type: 'text/html; charset=utf-8', filename };
    },
  };
};
