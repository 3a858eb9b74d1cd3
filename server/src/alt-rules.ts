/**
 * The alt-text quality rules (contracts.ts ALT_RULES names and explains them) as SQL: one boolean
 * expression per rule over a row's alt text, so PostgreSQL counts and pages the audit of any library.
 * The regular expressions use POSIX classes, which PostgreSQL applies to all of Unicode in a UTF-8
 * database ("café" and "日本" are letters, emoji are not). They have no "?": knex's raw() reads it as
 * a binding, so optional parts are written {0,1}.
 */
import type { AltRuleId } from './contracts';

/** The columns a rule reads. */
export interface RuleInput {
  /** The alt text (may be null). */
  alt: string;
  /** The file's name, with its extension. */
  name: string;
  /** How many images have the same normalised alt text (see normalisedAlt). */
  same: string;
  /** Whether an editor marked the image decorative. */
  decorative: string;
}

/** The thresholds, whole numbers checked by the caller (they are written into the SQL). */
export interface RuleLimits {
  maxLength: number;
  duplicateMin: number;
}

/** The alt text as the duplicate rule compares it: trimmed, case and runs of spaces ignored. */
export const normalisedAlt = (alt: string): string => `lower(regexp_replace(trim(${alt}), '[[:space:]]+', ' ', 'g'))`;

const GENERIC = [
  'image',
  'images',
  'img',
  'photo',
  'photos',
  'photograph',
  'picture',
  'pictures',
  'pic',
  'graphic',
  'graphics',
  'illustration',
  'screenshot',
  'thumbnail',
  'thumb',
  'icon',
  'logo',
  'banner',
  'media',
  'file',
  'untitled',
  'alt',
  'alt text',
  'alternative text',
  'description',
  'todo',
  'tbd',
  'fixme',
  'spacer',
  'blank',
  'placeholder',
  'default',
  'none',
  'null',
  'undefined',
  'test',
];
const IMAGE_WORDS = 'image|photo|photograph|picture|pic|graphic|illustration|screenshot|screen shot|drawing|icon';
const EXTENSIONS = 'jpg|jpeg|png|gif|webp|svg|bmp|tif|tiff|heic|heif|avif|ico';
const CAMERA = 'img|dsc|dscf|dscn|dcim|pxl|gopr|dji|mvimg|p|sam|wp|screenshot|screen shot|whatsapp image|capture';

/** `alt` matches the PostgreSQL regular expression `re` (case-insensitive). */
const matches = (alt: string, re: string) => `(${alt} ~* '${re}')`;

/** Each rule's SQL; the non-empty rules are false for empty text, the empty ones false for decorative images. */
export function ruleSql(c: RuleInput, limits: RuleLimits): Record<AltRuleId, string> {
  const t = `trim(${c.alt})`;
  const blank = `coalesce(${c.alt}, '') ~ '^[[:space:]]*$'`;
  const text = (cond: string) => `(not (${blank}) and ${cond})`;
  const stem = `regexp_replace(${c.name}, '\\.[^.]*$', '')`;
  const generic = `(${GENERIC.map((w) => w.replace(/ /g, '[[:space:]]+')).join('|')})`;
  return {
    missing: `(${c.alt} is null and not ${c.decorative})`,
    empty: `(${c.alt} is not null and ${blank} and not ${c.decorative})`,
    'file-name': text(
      `(${matches(t, `\\.(${EXTENSIONS})$`)} or ${matches(t, `^(${CAMERA})[ _-]*[0-9]{3,}`)} or (${matches(t, '^[0-9a-f]{8,}$')} and ${t} ~ '[0-9]')` +
        ` or ${matches(t, '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')} or (${t} ~ '_' and ${t} !~ '[[:space:]]')` +
        ` or lower(${t}) in (lower(${c.name}), lower(${stem})))`,
    ),
    placeholder: text(matches(t, `^(${generic}[[:space:][:punct:][:digit:]]*)+$`)),
    'redundant-lead-in': text(matches(t, `^((this|that|it)[[:space:]]+is[[:space:]]+){0,1}((a|an|the)[[:space:]]+){0,1}(${IMAGE_WORDS})[[:space:]]+(of|showing|shows|depicting|with)([[:space:]]|$)`)),
    'too-long': text(`char_length(${t}) > ${limits.maxLength}`),
    duplicate: text(`${c.same} >= ${limits.duplicateMin}`),
    'symbols-only': text(`${t} !~ '[[:alnum:]]'`),
    // Two words of letters: a lone acronym ("UNESCO") is fine.
    'all-caps': text(`(${t} = upper(${t}) and ${t} <> lower(${t}) and ${t} ~ '[[:alpha:]]{2,}[^[:alpha:]]+[[:alpha:]]{2,}')`),
  };
}
