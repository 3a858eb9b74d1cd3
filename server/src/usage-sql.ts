/**
 * Where each image is used, from Strapi's own relations: a media field stores its files in the
 * upload plugin's morph table (files_related_mph: file, holder type and id, field), the holder being
 * an entry or a component row; component rows reach their entry through the `<table>_cmps` join
 * tables, nested components through theirs. This walks the content types' schemas and answers one
 * SQL query over every path, draft and published rows alike (each is an entry row of its document).
 */
import type { Core, UID } from '@strapi/strapi';
import type { UsageEntry } from './contracts';
import { FILE_UID } from './utils';

/** Nested components deeper than this are not followed (Strapi's own editor stops at a few levels too). */
const MAX_DEPTH = 4;

interface Attr {
  type: string;
  component?: string;
  components?: string[];
}
interface JoinTable {
  name: string;
  joinColumn: { name: string };
  inverseJoinColumn?: { name: string };
  morphColumn?: { idColumn: { name: string }; typeColumn: { name: string } };
}
/** One hop from a component row up to the row that holds it. */
interface Hop {
  table: string;
  entity: string;
  component: string;
  type: string;
  uid: string;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export interface ContentTypeInfo {
  uid: string;
  name: string;
  kind: UsageEntry['kind'];
}

/** The app's own content types (api::), whose entries editors publish. */
export function contentTypes(strapi: Core.Strapi): ContentTypeInfo[] {
  return Object.entries(strapi.contentTypes)
    .filter(([uid]) => uid.startsWith('api::'))
    .map(([uid, ct]) => ({ uid, name: ct.info?.displayName ?? uid, kind: ct.kind === 'singleType' ? 'singleType' : 'collectionType' }));
}

/**
 * `select file_id, content_type, document_id, published, field` for every use of every file, or
 * null when no content type can hold media.
 */
export function usageSql(strapi: Core.Strapi): string | null {
  const meta = (uid: string) => strapi.db.metadata.get(uid as UID.Schema);
  const morph = (meta(FILE_UID).attributes as unknown as Record<string, { joinTable: JoinTable }>).related.joinTable;
  const [fileCol, idCol, typeCol] = [morph.joinColumn.name, morph.morphColumn!.idColumn.name, morph.morphColumn!.typeColumn.name];
  const schemaOf = (uid: string): Record<string, Attr> => ((strapi.contentTypes[uid as UID.ContentType] ?? strapi.components[uid as UID.Component])?.attributes ?? {}) as Record<string, Attr>;
  const hasMedia = (uid: string) => Object.values(schemaOf(uid)).some((a) => a.type === 'media');
  const parts: string[] = [];

  for (const ct of contentTypes(strapi)) {
    const m = meta(ct.uid);
    const published = 'publishedAt' in m.attributes ? 'e.published_at is not null' : 'true';
    /** The select for files held by `holder`, reached from the entry through `hops` (outermost first). */
    const emit = (holder: string, hops: Hop[]) => {
      const alias = (i: number) => `j${i}`;
      const joins = hops
        .map((h, i) => {
          const inner = i === hops.length - 1 ? `mph.${ident(idCol)}` : `${alias(i + 1)}.${ident(hops[i + 1].entity)}`;
          return `join ${ident(h.table)} ${alias(i)} on ${alias(i)}.${ident(h.component)} = ${inner} and ${alias(i)}.${ident(h.type)} = ${lit(h.uid)}`;
        })
        .reverse();
      const entry = hops.length ? `${alias(0)}.${ident(hops[0].entity)}` : `mph.${ident(idCol)}`;
      const field = `concat_ws('.', ${[...hops.map((_, i) => `${alias(i)}.field`), 'mph.field'].join(', ')})`;
      parts.push(
        `select mph.${ident(fileCol)} as file_id, ${lit(ct.uid)} as content_type, e.document_id, ${published} as published, ${field} as field
        from ${ident(morph.name)} mph ${joins.join(' ')} join ${ident(m.tableName)} e on e.id = ${entry}
        where mph.${ident(typeCol)} = ${lit(holder)}`,
      );
    };
    const walk = (owner: string, hops: Hop[]) => {
      if (hops.length > MAX_DEPTH) return;
      if (hasMedia(owner)) emit(owner, hops);
      const attrs = meta(owner).attributes as unknown as Record<string, { joinTable?: JoinTable }>;
      for (const [name, a] of Object.entries(schemaOf(owner))) {
        const targets = a.type === 'component' ? [a.component!] : a.type === 'dynamiczone' ? (a.components ?? []) : [];
        const jt = attrs[name]?.joinTable;
        if (!jt) continue;
        const component = jt.inverseJoinColumn?.name ?? jt.morphColumn!.idColumn.name;
        for (const t of targets) walk(t, [...hops, { table: jt.name, entity: jt.joinColumn.name, component, type: 'component_type', uid: t }]);
      }
    };
    walk(ct.uid, []);
  }
  return parts.length ? parts.join('\nunion all\n') : null;
}
