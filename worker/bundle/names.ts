/**
 * Bundle names and versions become folder names (MODELS/NAME-VERSION, runs/NAME-VERSION, the
 * version reservations), so each is one path segment of safe characters. The one check, called
 * wherever a name or version arrives: CLI options, a fine-tuning spec, a bundle reference, a
 * manifest, the admin API.
 */

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const MAX_LENGTH = 100;

/** The version of a new bundle (trained, built or imported) when none is given. */
export const FIRST_VERSION = '1.0.0';

/** `name` when it is a safe bundle name; a RangeError saying the rule otherwise (`origin`: where a default name came from). */
export function checkBundleName(name: unknown, origin?: string): string {
  if (typeof name !== 'string' || name.length > MAX_LENGTH || !NAME.test(name)) {
    throw new RangeError(
      `a bundle name is lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (at most ${MAX_LENGTH} characters), got ${JSON.stringify(name)}${origin ? ` (${origin})` : ''}`,
    );
  }
  return name;
}

/** `version` when it is a safe bundle version (1.0.0, 2.0.0-rc.1, 1.0.0+build); a RangeError otherwise. */
export function checkBundleVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length > MAX_LENGTH || !VERSION.test(version)) {
    throw new RangeError(`a bundle version is letters, digits, ".", "_", "+" and "-", starting with a letter or digit (at most ${MAX_LENGTH} characters), got ${JSON.stringify(version)}`);
  }
  return version;
}

/** `name` or `name@version`, each part checked. */
export function parseBundleRef(ref: unknown): { name: string; version: string | null } {
  if (typeof ref !== 'string') throw new RangeError(`a bundle is name or name@version, got ${JSON.stringify(ref)}`);
  const at = ref.indexOf('@');
  if (at < 0) return { name: checkBundleName(ref), version: null };
  return { name: checkBundleName(ref.slice(0, at)), version: checkBundleVersion(ref.slice(at + 1)) };
}
