/** One admin API resource: loaded on mount, reloadable, and re-fetched every `pollMs` while `poll` holds. */
import * as React from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import { errorMessage } from '../api';

export function useResource<T>(url: string, params?: Record<string, unknown>, poll?: { ms: number; while: (data: T) => boolean }) {
  const { get } = useFetchClient();
  const [data, setData] = React.useState<T | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [loaded, setLoaded] = React.useState(false);
  const [reloads, setReloads] = React.useState(0);
  const reload = React.useCallback(() => setReloads((n) => n + 1), []);
  const key = JSON.stringify(params ?? {});

  React.useEffect(() => {
    let live = true;
    get<{ data: T }>(url, { params: JSON.parse(key) })
      .then((res) => {
        if (!live) return;
        setData(res.data.data);
        setLoaded(true);
        setError(null);
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [get, url, key, reloads]);

  const pollMs = data !== null && poll !== undefined && poll.while(data) ? poll.ms : null;
  React.useEffect(() => {
    if (pollMs === null) return;
    const t = setTimeout(reload, pollMs);
    return () => clearTimeout(t);
  }, [pollMs, data, reload]);

  /** loaded: an answer came (data may be null when the server answers null). */
  return { data, setData, loaded, error, reload };
}
