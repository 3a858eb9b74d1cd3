/** The dead-letter view: caption jobs that failed for good, with the reason, and Retry for each. */
import * as React from 'react';
import { Box, Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { ArrowClockwise } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { errorMessage, FailedJob } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { useResource } from '../hooks/useResource';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

const PAGE_SIZE = 25;

export function FailedJobsPage() {
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({ edit: PERMISSIONS.edit });
  const [page, setPage] = React.useState(1);
  const { data, error, reload } = useResource<{ total: number; jobs: FailedJob[] }>(`/${PLUGIN_ID}/jobs/failed`, { page, pageSize: PAGE_SIZE });
  const [retrying, setRetrying] = React.useState<string | null>(null);

  async function retry(job: FailedJob) {
    setRetrying(job.id);
    try {
      await post(`/${PLUGIN_ID}/jobs/${encodeURIComponent(job.id)}/retry`);
      toggleNotification({ type: 'success', message: `Job for file ${job.fileId} queued again` });
      reload();
    } catch (err) {
      toggleNotification({ type: 'danger', message: `Retry failed: ${errorMessage(err)}` });
    } finally {
      setRetrying(null);
    }
  }

  if (!data) return error ? <Page.Error /> : <Page.Loading />;
  const pageCount = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  return (
    <Page.Main>
      <Page.Title>Alt text failed jobs</Page.Title>
      <Layouts.Header title="Failed jobs" subtitle={`${data.total} caption job${data.total === 1 ? '' : 's'} failed after every retry`} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {error && <ErrorNote>Could not refresh: {error}</ErrorNote>}
          {data.jobs.length === 0 ? (
            <Box padding={6} background="neutral0" hasRadius>
              <Typography tag="p">No failed jobs.</Typography>
            </Box>
          ) : (
            <Table colCount={4} rowCount={data.jobs.length + 1} aria-label="Failed caption jobs">
              <Thead>
                <Tr>
                  <Th>
                    <Typography variant="sigma">File</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">Why it failed</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">Attempts / when</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">Action</Typography>
                  </Th>
                </Tr>
              </Thead>
              <Tbody>
                {data.jobs.map((job) => (
                  <Tr key={job.id}>
                    <Td>
                      <Typography>File {job.fileId}</Typography>
                    </Td>
                    <Td>
                      <Typography textColor="danger700" style={{ whiteSpace: 'normal' }}>
                        {job.reason}
                      </Typography>
                    </Td>
                    <Td>
                      <Typography variant="pi">
                        {job.attemptsMade} · {job.failedAt ? new Date(job.failedAt).toLocaleString() : 'n/a'}
                      </Typography>
                    </Td>
                    <Td>
                      {allowedActions.canEdit && (
                        <Button
                          size="S"
                          variant="secondary"
                          startIcon={<ArrowClockwise />}
                          loading={retrying === job.id}
                          onClick={() => retry(job)}
                          aria-label={`Retry the job for file ${job.fileId}`}
                        >
                          Retry
                        </Button>
                      )}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )}
          {pageCount > 1 && (
            <Flex tag="nav" aria-label="Failed job pages" gap={2} justifyContent="flex-end" alignItems="center">
              <Button variant="tertiary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                Previous page
              </Button>
              <Typography aria-live="polite">
                Page {page} of {pageCount}
              </Typography>
              <Button variant="tertiary" disabled={page >= pageCount} onClick={() => setPage((p) => p + 1)}>
                Next page
              </Button>
            </Flex>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
