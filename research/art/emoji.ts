/**
 * Emoji with their CLDR names (emojibase-data) and their images in each art style: Noto (PNG, by
 * code point), OpenMoji (SVG, by code point) and Fluent (SVG, by a slug of the name). Skin-tone
 * variants, components and regional indicators are left out: a tone variant's image differs from
 * its base only in colour, and its label only in a suffix.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ART_PATHS } from './sources';

export const TRAIN_STYLES = ['noto', 'fluent-flat', 'fluent-modern', 'fluent-high-contrast'] as const;
/** The held-out style: never seen by CLIP or by anything trained on images. */
export const HELD_OUT_STYLE = 'openmoji';
export type EmojiStyle = (typeof TRAIN_STYLES)[number] | typeof HELD_OUT_STYLE;

export interface Emoji {
  hexcode: string;
  /** The CLDR English label: what a screen reader announces. */
  label: string;
  tags: string[];
  group: string;
  images: Partial<Record<EmojiStyle, string>>;
}

interface BaseEmoji {
  label: string;
  hexcode: string;
  tags?: string[];
  group?: number;
}

const COMPONENT_GROUP = 2;
const FLUENT_FOLDERS: Record<string, EmojiStyle> = { flat: 'fluent-flat', modern: 'fluent-modern', 'high-contrast': 'fluent-high-contrast' };

/** Fluent's file slug of a CLDR label: ASCII, lower case, words joined by '-' ("flag: Côte d’Ivoire" -> "flag-cote-divoire"). */
export function fluentSlug(label: string): string {
  return label
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’'.]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function readJson<T>(file: string): T {
  if (!fs.existsSync(file)) throw new Error(`art data: ${file} is missing (fetch the sources with \`altbridge art build\`)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function files(dir: string): Set<string> {
  return new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
}

/** Every base emoji of the label data with the images each style has of it. */
export function readEmoji(src: string): Emoji[] {
  const labels = readJson<BaseEmoji[]>(path.join(src, ART_PATHS.labels));
  const groups = readJson<{ groups: { order: number; message: string }[] }>(path.join(src, ART_PATHS.groups)).groups;
  const groupName = new Map(groups.map((g) => [g.order, g.message]));
  const notoIndex = readJson<{ unified: string; non_qualified: string | null; image: string }[]>(path.join(src, ART_PATHS.notoIndex));
  const notoFiles = files(path.join(src, ART_PATHS.noto));
  const noto = new Map<string, string>();
  for (const e of notoIndex) {
    if (!notoFiles.has(e.image)) continue;
    noto.set(e.unified, e.image);
    if (e.non_qualified) noto.set(e.non_qualified, e.image);
  }
  const openmoji = files(path.join(src, ART_PATHS.openmoji));
  const fluent = Object.entries(FLUENT_FOLDERS).map(([dir, style]) => ({ dir: path.join(src, ART_PATHS.fluent, dir), style, names: files(path.join(src, ART_PATHS.fluent, dir)) }));
  return labels
    .filter((e) => e.group !== undefined && e.group !== COMPONENT_GROUP)
    .map((e) => {
      const images: Emoji['images'] = {};
      const n = noto.get(e.hexcode);
      if (n) images.noto = path.join(src, ART_PATHS.noto, n);
      const slug = fluentSlug(e.label);
      for (const f of fluent) {
        const name = [`${slug}.svg`, `${slug}-default.svg`].find((x) => f.names.has(x));
        if (name) images[f.style] = path.join(f.dir, name);
      }
      if (openmoji.has(`${e.hexcode}.svg`)) images.openmoji = path.join(src, ART_PATHS.openmoji, `${e.hexcode}.svg`);
      return { hexcode: e.hexcode, label: e.label, tags: e.tags ?? [], group: groupName.get(e.group!) ?? String(e.group), images };
    });
}
