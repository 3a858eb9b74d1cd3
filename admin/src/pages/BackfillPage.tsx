/**
 * Backfill: caption every existing image lacking alt text. Start, then a progress bar (done, failed,
 * total) refreshed every POLL_MS while the run goes; pause, resume and cancel.
 */
import * as React from 'react';
import { Box, Button, Flex, Typography } from '@strapi/design-system';
import { Cross, Play } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useRBAC } from '@strapi/strapi/admin';
import { BackfillStatus, errorMessage } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { Progress } from '../components/Progress';
import { useResource } from '../hooks/useResource';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

const POLL_MS = 1500;
const STATE_LABEL: Record<BackfillStatus['state'], string> = { idle: 'Not started', running: 'Running', paused: 'Paused', cancelled: 'Cancelled', done: 'Done' };

export function BackfillPage() {
  const { post } = useFetchClient();
  const { allowedActions } = useRBAC({ edit: PERMISSIONS.edit });
  const {
    data: status,
    setData,
    error,
  } = useResource<BackfillStatus>(`/${PLUGIN_ID}/backfill`, undefined, { ms: POLL_MS, while: (s) => s.state === 'running' || (s.state === 'paused' && s.queued > 0) });
  const [busy, setBusy] = React.useState(false);
  const [actionError, setActionError] = React.useState<string | null>(null);

  async function act(path: '' | '/pause' | '/resume' | '/cancel') {
    setBusy(true);
    setActionError(null);
    try {
      setData((await post<{ data: BackfillStatus }>(`/${PLUGIN_ID}/backfill${path}`)).data.data);
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!status) return error ? <Page.Error /> : <Page.Loading />;
  const { state } = status;
  const active = state === 'running' || state === 'paused';
  const canEdit = allowedActions.canEdit;

  return (
    <Page.Main>
      <Page.Title>Alt text backfill</Page.Title>
      <Layouts.Header title="Backfill" subtitle="Caption every existing image that has no alt text yet. Images that have alt text are never touched." />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {(actionError || error) && <ErrorNote>{actionError ?? `Could not refresh: ${error}`}</ErrorNote>}
          <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
            <Flex direction="column" alignItems="stretch" gap={4}>
              <Typography tag="p" aria-live="polite">
                State: <strong>{STATE_LABEL[state]}</strong>
                {!active && ` · ${status.lacking} image${status.lacking === 1 ? '' : 's'} lacking alt text now`}
              </Typography>
              {status.id && (
                <Progress
                  label="Backfill progress"
                  value={status.total ? ((status.done + status.failed) / status.total) * 100 : 100}
                  text={`${status.done} done (${status.needsReview} need review), ${status.failed} failed, of ${status.total} (${status.queued} being captioned, ${status.remaining} not yet queued)`}
                />
              )}
              {canEdit && (
                <Flex gap={2}>
                  {!active && (
                    <Button startIcon={<Play />} loading={busy} disabled={status.lacking === 0} onClick={() => act('')}>
                      Start backfill
                    </Button>
                  )}
                  {state === 'running' && (
                    <Button variant="secondary" loading={busy} onClick={() => act('/pause')}>
                      Pause
                    </Button>
                  )}
                  {state === 'paused' && (
                    <Button startIcon={<Play />} loading={busy} onClick={() => act('/resume')}>
                      Resume
                    </Button>
                  )}
                  {active && (
                    <Button variant="danger-light" startIcon={<Cross />} disabled={busy} onClick={() => act('/cancel')}>
                      Cancel run
                    </Button>
                  )}
                </Flex>
              )}
            </Flex>
          </Box>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
