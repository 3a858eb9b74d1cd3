/** Saves a Blob the admin API answered (fetched with the admin JWT) as a file download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name of a Content-Disposition header, else `fallback`. */
export function attachmentName(headers: Headers | undefined, fallback: string): string {
  return /filename="?([^";]+)"?/.exec(headers?.get('content-disposition') ?? '')?.[1] ?? fallback;
}
