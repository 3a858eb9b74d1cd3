/** The folder for what can be fetched or computed again ($ALTBRIDGE_CACHE, else ~/.cache/altbridge), or a part of it. */
import * as os from 'os';
import * as path from 'path';

export const cacheDir = (...parts: string[]): string => path.join(process.env.ALTBRIDGE_CACHE ?? path.join(os.homedir(), '.cache', 'altbridge'), ...parts);
