/**
 * Fine-tuning: upload a caption corpus (validation report), start a run on it, follow it (stage,
 * progress, ETA, loss curves; cancel), and at the end compare the new bundle with the active one
 * and activate it. The server runs one at a time; captioning goes on with the active bundle.
 */
import * as React from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { CorpusInfo, errorMessage, RunStatus } from '../api';
import { CorpusUpload } from '../components/CorpusUpload';
import { ErrorNote } from '../components/ErrorNote';
import { EvalResult } from '../components/EvalResult';
import { RunForm } from '../components/RunForm';
import { RunProgress } from '../components/RunProgress';
import { useLimits } from '../hooks/useLimits';
import { useResource } from '../hooks/useResource';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

const POLL_MS = 2000;
const ENDED: Record<string, string> = {
  failed: 'The last run failed',
  cancelled: 'The last run was cancelled',
  interrupted: 'The last run stopped when its server stopped answering (restart or crash)',
};

const Section = ({ title, children }: { title: string; children: React.ReactNode }) => (
  <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius tag="section" aria-label={title}>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography tag="h2" variant="delta">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

export function FinetunePage() {
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({ settings: PERMISSIONS.settings });
  const run = useResource<RunStatus | null>(`/${PLUGIN_ID}/finetune`, undefined, { ms: POLL_MS, while: (r) => r?.state === 'running' || r?.state === 'cancelling' });
  const corpora = useResource<CorpusInfo[]>(`/${PLUGIN_ID}/finetune/corpus`);
  const limits = useLimits();
  const [corpusId, setCorpusId] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);

  const list = corpora.data ?? [];
  const chosen = corpusId ?? list[0]?.id ?? null;
  const status = run.data;
  const going = status?.state === 'running' || status?.state === 'cancelling';

  async function act(path: 'cancel' | 'activate') {
    setBusy(true);
    try {
      const res = await post<{ data: RunStatus | { bundle: string } }>(`/${PLUGIN_ID}/finetune/${path}`);
      if (path === 'activate') toggleNotification({ type: 'success', message: `${(res.data.data as { bundle: string }).bundle} is now the active bundle` });
      run.reload();
    } catch (err) {
      toggleNotification({ type: 'danger', message: `${path === 'cancel' ? 'Cancel' : 'Activate'} failed: ${errorMessage(err)}` });
    } finally {
      setBusy(false);
    }
  }

  if (!run.loaded || !limits.data) return run.error || limits.error ? <Page.Error /> : <Page.Loading />;
  return (
    <Page.Main>
      <Page.Title>Alt text fine-tuning</Page.Title>
      <Layouts.Header title="Fine-tuning" subtitle="Teach the active bundle your site's way of describing images from a corpus of captions. Captioning goes on with the active bundle meanwhile." />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {(run.error || corpora.error) && <ErrorNote>Could not load: {run.error ?? corpora.error}</ErrorNote>}
          <Section title="1. Caption corpus">
            <CorpusUpload
              maxBytes={limits.data.corpusMaxBytes}
              onUploaded={(c) => {
                setCorpusId(c.id);
                corpora.setData([c, ...list.filter((x) => x.id !== c.id)]);
              }}
            />
          </Section>
          <Section title={going ? '2. Training' : '2. Train'}>
            {going && status ? (
              <RunProgress run={status} cancelling={busy} onCancel={() => act('cancel')} />
            ) : (
              <>
                {status && ENDED[status.state] && (
                  <ErrorNote>
                    {ENDED[status.state]}
                    {status.error ? `: ${status.error}` : '.'}
                  </ErrorNote>
                )}
                <RunForm corpora={list} corpusId={chosen} limits={limits.data.finetune} onCorpus={setCorpusId} onStarted={(r) => run.setData(r)} />
              </>
            )}
          </Section>
          {status?.state === 'done' && (
            <Section title={`3. Result: ${status.target}`}>
              <EvalResult run={status} canActivate={allowedActions.canSettings} busy={busy} onActivate={() => act('activate')} />
            </Section>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
