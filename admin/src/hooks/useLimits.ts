/** The server's limits and configured thresholds (GET /limits): forms check what the server checks. */
import type { Limits } from '../api';
import { PLUGIN_ID } from '../pluginId';
import { useResource } from './useResource';

export const useLimits = () => useResource<Limits>(`/${PLUGIN_ID}/limits`);
