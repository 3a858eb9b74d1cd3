/**
 * Captioning settings editors' admins change at run time, kept in Strapi's plugin store and read by
 * the worker for every job (so a change applies to the next caption without a restart).
 */
import type { Core } from '@strapi/strapi';
import { listBundles } from '../../../worker/bundle/load';
import type { AltbridgeConfig } from '../config';
import { InvalidInput } from '../errors';

export interface Settings {
  /** Bridging depth M (0 = no bridging). */
  m: number;
  /** DDIM steps S (at most M). */
  steps: number;
  beam: number;
  /** Most tokens per caption; null = the decoder's own limit. */
  maxTokens: number | null;
  autoCaption: boolean;
  /** The active bundle as name@version. */
  bundle: string;
}

const LIMITS = { m: [0, 1000], steps: [1, 1000], beam: [1, 8], maxTokens: [1, 77] } as const;

/** Bundles that can caption (not CLIP-only) and have no problem, as name@version. */
export function usableBundles(): string[] {
  return listBundles()
    .filter((b) => b.captions && !b.problem)
    .map((b) => `${b.name}@${b.version}`);
}

function wholeIn(key: keyof typeof LIMITS, v: unknown): number {
  const [lo, hi] = LIMITS[key];
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) throw new InvalidInput(`${key} must be a whole number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return v as number;
}

/** `input` merged over `current`, every field checked; unknown fields are refused. */
export function validateSettings(current: Settings, input: unknown): Settings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidInput('settings must be an object');
  const unknown = Object.keys(input).filter((k) => !(k in current));
  if (unknown.length) throw new InvalidInput(`unknown settings: ${unknown.join(', ')}`);
  const next = { ...current, ...(input as Partial<Settings>) };
  const m = wholeIn('m', next.m);
  const steps = wholeIn('steps', next.steps);
  if (m > 0 && steps > m) throw new InvalidInput(`steps (${steps}) cannot exceed M (${m})`);
  if (typeof next.autoCaption !== 'boolean') throw new InvalidInput('autoCaption must be true or false');
  const bundles = usableBundles();
  if (!bundles.includes(next.bundle)) throw new InvalidInput(`bundle must be one of ${bundles.join(', ') || '(none installed)'}, got ${JSON.stringify(next.bundle)}`);
  return {
    m,
    steps,
    beam: wholeIn('beam', next.beam),
    maxTokens: next.maxTokens === null ? null : wholeIn('maxTokens', next.maxTokens),
    autoCaption: next.autoCaption,
    bundle: next.bundle,
  };
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: 'altbridge', key: 'settings' });

  function defaults(): Settings {
    const ref = (strapi.config.get('plugin::altbridge') as AltbridgeConfig).defaultBundle;
    // The newest installed version when the configured bundle names no version.
    const bundle = ref.includes('@') ? ref : (usableBundles().filter((b) => b.startsWith(`${ref}@`)).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))[0] ?? ref);
    return { m: 600, steps: 5, beam: 3, maxTokens: null, autoCaption: true, bundle };
  }

  return {
    async get(): Promise<Settings> {
      const stored = (await store().get({})) as Partial<Settings> | null;
      return { ...defaults(), ...(stored ?? {}) };
    },

    async set(input: unknown): Promise<Settings> {
      const next = validateSettings(await this.get(), input);
      await store().set({ value: next });
      return next;
    },

    bundles: usableBundles,
  };
};
