/** CSV, JSON and HTML report export of the audit: fetched with the admin JWT (a plain link would carry none), saved as a Blob. */
import * as React from 'react';
import { Button, Flex } from '@strapi/design-system';
import { Download } from '@strapi/icons';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { errorMessage } from '../api';
import { attachmentName, saveBlob } from '../download';
import { PLUGIN_ID } from '../pluginId';

/** `params`: the audit's thresholds as the page applies them, so the files match what it shows. */
export function ExportButtons({ params }: { params: Record<string, string> }) {
  const { get } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [busy, setBusy] = React.useState<string | null>(null);

  async function download(format: 'csv' | 'json' | 'html') {
    setBusy(format);
    try {
      const res = await get(`/${PLUGIN_ID}/audit/export`, { params: { ...params, format, scope: 'all' }, responseType: 'blob' });
      saveBlob(res.data, attachmentName(res.headers, `alt-text-audit.${format}`));
    } catch (err) {
      toggleNotification({ type: 'danger', message: `Export failed: ${errorMessage(err)}` });
    } finally {
      setBusy(null);
    }
  }

  return (
    <Flex gap={2}>
      <Button variant="secondary" startIcon={<Download />} loading={busy === 'csv'} onClick={() => download('csv')}>
        Export CSV
      </Button>
      <Button variant="secondary" startIcon={<Download />} loading={busy === 'json'} onClick={() => download('json')}>
        Export JSON
      </Button>
      <Button variant="secondary" startIcon={<Download />} loading={busy === 'html'} onClick={() => download('html')}>
        HTML report
      </Button>
    </Flex>
  );
}
