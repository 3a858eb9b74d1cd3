/**
 * Captioning settings admins change at run time, kept in Strapi's plugin store and read by the
 * worker for every job (so a change applies to the next caption without a restart), and the limits
 * the admin panel checks its forms with (GET /limits).
 */
import type { Core } from '@strapi/strapi';
import { CAPTION_MAX_TEXT, DEFAULT_SETTINGS, FINETUNE_LIMITS, Limits, PREVIEW_LIMITS, QUALITY_RANGE, Settings, SETTINGS_LIMITS } from '../contracts';
import { thresholdOf } from '../policy';
import { InvalidInput } from '../errors';
import { schedule, whole } from '../input';
import { getService, pluginConfig, pluginStore } from '../utils';

/** `input` merged over `current`, every field checked; unknown fields are refused. `defaultM` gives a bundle's own M (what m null means). */
export function validateSettings(current: Settings, input: unknown, bundles: string[], defaultM: (bundle: string) => number): Settings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidInput('settings must be an object');
  const unknown = Object.keys(input).filter((k) => !(k in current));
  if (unknown.length) throw new InvalidInput(`unknown settings: ${unknown.join(', ')}`);
  const next = { ...current, ...(input as Partial<Settings>) };
  const m = next.m === null ? null : whole('m', next.m, SETTINGS_LIMITS.m);
  const steps = whole('steps', next.steps, SETTINGS_LIMITS.steps);
  if (!bundles.includes(next.bundle)) throw new InvalidInput(`bundle must be one of ${bundles.join(', ') || '(none installed)'}, got ${JSON.stringify(next.bundle)}`);
  // S is kept when M = 0 (bridging off) for when M is raised again; otherwise S <= M.
  const inForce = m ?? defaultM(next.bundle);
  if (inForce > 0) schedule(inForce, steps, steps);
  for (const key of ['autoCaption', 'autoWrite', 'allowDemonstration'] as const) if (typeof next[key] !== 'boolean') throw new InvalidInput(`${key} must be true or false`);
  const [qLo, qHi] = QUALITY_RANGE;
  const q = next.minQuality;
  if (q !== null && (typeof q !== 'number' || !Number.isFinite(q) || q < qLo || q > qHi))
    throw new InvalidInput(`minQuality must be a number from ${qLo} to ${qHi}, or null for the bundle's calibrated threshold, got ${JSON.stringify(q)}`);
  return {
    m,
    steps,
    beam: whole('beam', next.beam, SETTINGS_LIMITS.beam),
    maxTokens: next.maxTokens === null ? null : whole('maxTokens', next.maxTokens, SETTINGS_LIMITS.maxTokens),
    autoCaption: next.autoCaption,
    bundle: next.bundle,
    autoWrite: next.autoWrite,
    minQuality: q,
    allowDemonstration: next.allowDemonstration,
  };
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => pluginStore(strapi, 'settings');
  const bundles = () => getService(strapi, 'bundles');

  return {
    async get(): Promise<Settings> {
      const stored = (await store().get({})) as Partial<Settings> | null;
      return { ...DEFAULT_SETTINGS, bundle: bundles().resolve(pluginConfig(strapi).defaultBundle), ...(stored ?? {}) };
    },

    async set(input: unknown): Promise<Settings> {
      const next = validateSettings(await this.get(), input, bundles().usable(), (ref) => bundles().domainOf(ref).defaultM);
      await store().set({ value: next });
      return next;
    },

    async limits(): Promise<Limits> {
      const c = pluginConfig(strapi);
      const s = await this.get();
      const bundle = bundles().domainOf(s.bundle);
      return {
        settings: SETTINGS_LIMITS,
        defaults: DEFAULT_SETTINGS,
        finetune: FINETUNE_LIMITS,
        preview: PREVIEW_LIMITS,
        captionMaxText: CAPTION_MAX_TEXT,
        corpusMaxBytes: c.corpusMaxBytes,
        lowConfidence: c.lowConfidence,
        quality: QUALITY_RANGE,
        minQuality: thresholdOf(s, bundle),
        bundle,
      };
    },
  };
};
