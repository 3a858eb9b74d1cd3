/** Admin API calls and Media Library uploads over HTTP, as the admin panel makes them. */
export interface Admin {
  baseUrl: string;
  token: string;
}

export async function call(a: Admin, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(a.baseUrl + url, {
    method,
    headers: { authorization: `Bearer ${a.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // JSON answers parsed; a download (CSV) comes back as text.
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, body: text ? (json ? JSON.parse(text) : text) : null };
}

/** POST /upload (the admin upload API) with one file; returns the file row. `replace` puts new content in an existing file. */
export async function upload(a: Admin, name: string, type: string, data: Buffer, fileInfo: Record<string, unknown> = {}, replace?: number): Promise<any> {
  const form = new FormData();
  form.append('files', new Blob([data], { type }), name);
  form.append('fileInfo', JSON.stringify({ name, ...fileInfo }));
  const res = await fetch(`${a.baseUrl}/upload${replace ? `?id=${replace}` : ''}`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` }, body: form });
  const body = await res.json();
  if (res.status !== (replace ? 200 : 201)) throw new Error(`upload of ${name} failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  return Array.isArray(body) ? body[0] : body;
}
