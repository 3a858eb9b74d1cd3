/**
 * What the plugin's server parts share: service lookup, the plugin's config and store, file and
 * job-id helpers, admin names. It imports no service, so services, the upload hook and the consumer
 * reach each other through getService without an import cycle.
 */
import type { Core } from '@strapi/strapi';
import * as path from 'path';
import type { AltbridgeConfig } from './config';

/**
 * The plugin's services by name, with their types (Strapi's registry returns untyped services).
 * services/index.ts fills it in by declaration merging, so this module needs no import of them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface Services {}

export const getService = <K extends keyof Services>(strapi: Core.Strapi, name: K): Services[K] => strapi.plugin('altbridge').service(name) as Services[K];

export const pluginConfig = (strapi: Core.Strapi): AltbridgeConfig => strapi.config.get('plugin::altbridge') as AltbridgeConfig;

/** The plugin's data folder in the app (corpora, fine-tuning runs). */
export const dataDir = (strapi: Core.Strapi): string => path.resolve(strapi.dirs.app.root, pluginConfig(strapi).dataDir);

/** The app's models folder: modelsDir, else `models` in the data folder. */
export function appModelsDir(strapi: Core.Strapi): string {
  const c = pluginConfig(strapi);
  return c.modelsDir === null ? path.join(dataDir(strapi), 'models') : path.resolve(strapi.dirs.app.root, c.modelsDir);
}

/** One key of the plugin's store (settings, backfill state, fine-tuning run, corpora). */
export const pluginStore = (strapi: Core.Strapi, key: string) => strapi.store({ type: 'plugin', name: 'altbridge', key });

export const FILE_UID = 'plugin::upload.file';

/** A Media Library file row, as far as the plugin reads it. */
export interface UploadFile {
  id: number;
  name: string;
  url: string;
  mime: string;
  alternativeText: string | null;
  updatedAt?: string | Date | null;
  formats?: { thumbnail?: { url: string } } | null;
}

export const isImage = (mime: string | null | undefined): boolean => !!mime && mime.startsWith('image/');

/**
 * The job id of one version of a file's content. Strapi's replace keeps the file's hash (its URL
 * stays), so the version is the row's updatedAt; the same upload event seen twice makes one job.
 */
export const fileJobId = (file: { id: number; updatedAt?: string | Date | null }): string => `file-${file.id}-${file.updatedAt ? new Date(file.updatedAt).getTime() : 0}`;

/** An editor's regenerate: never deduplicated against earlier jobs. */
export const regenerateJobId = (fileId: number): string => `regen-${fileId}-${Date.now()}`;

/** A lost job put back for a file version whose own job id is taken (it already ran). */
export const recoverJobId = (fileId: number): string => `recover-${fileId}-${Date.now()}`;

/** The logged-in admin (ctx.state.user). */
export interface AdminUser {
  id: number;
  firstname?: string | null;
  lastname?: string | null;
  email?: string;
}

/** An admin's display name: first and last name, else the email, else the id. */
export function nameOf(u: AdminUser): string;
export function nameOf(u: AdminUser | null | undefined): string | null;
export function nameOf(u: AdminUser | null | undefined): string | null {
  return u ? [u.firstname, u.lastname].filter(Boolean).join(' ') || u.email || `admin #${u.id}` : null;
}
