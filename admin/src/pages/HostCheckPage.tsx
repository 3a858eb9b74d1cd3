/** Host check: `altbridge doctor`'s report, read-only (a status per check, its detail and the fix), and the live caption workers. */
import { Box, Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { ArrowClockwise } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { DoctorReport, WorkersStatus } from '../api';
import { Badge } from '../components/Badge';
import { ErrorNote } from '../components/ErrorNote';
import { WorkerList } from '../components/WorkerList';
import { useResource } from '../hooks/useResource';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';

const BADGE = { ok: 'success', warn: 'warning', fail: 'danger' } as const;

export const ProtectedHostCheckPage = () => (
  <Page.Protect permissions={PERMISSIONS.settings}>
    <HostCheckPage />
  </Page.Protect>
);

export function HostCheckPage() {
  const { data, error, reload } = useResource<DoctorReport>(`/${PLUGIN_ID}/doctor`);
  const workers = useResource<WorkersStatus>(`/${PLUGIN_ID}/workers`);
  const checkAgain = () => {
    reload();
    workers.reload();
  };
  if (!data) return error ? <Page.Error /> : <Page.Loading />;
  const failed = data.checks.filter((c) => c.status === 'fail').length;
  const warned = data.checks.filter((c) => c.status === 'warn').length;
  // Captions need a live worker as much as a sound host: without one the server is not ready either.
  const problems = [!data.ok && `${failed} check${failed === 1 ? '' : 's'} failed`, workers.data?.workers.length === 0 && 'no caption worker is running'].filter(Boolean);
  const ready = problems.length === 0;
  return (
    <Page.Main>
      <Page.Title>Alt text host check</Page.Title>
      <Layouts.Header
        title="Host check"
        subtitle={`What npx altbridge doctor reports for this server, checked ${new Date(data.generatedAt).toLocaleString()}.`}
        primaryAction={
          <Button variant="secondary" startIcon={<ArrowClockwise />} onClick={checkAgain}>
            Check again
          </Button>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {error && <ErrorNote>Could not check again: {error}</ErrorNote>}
          <Box padding={4} background={ready ? 'success100' : 'danger100'} hasRadius>
            <Typography textColor={ready ? 'success700' : 'danger700'} fontWeight="bold">
              {ready ? 'Ready' : `Not ready: ${problems.join(', ')}`}
              {warned > 0 && ` · ${warned} warning${warned === 1 ? '' : 's'}`}
            </Typography>
          </Box>
          <Typography tag="h2" variant="delta">
            Caption workers
          </Typography>
          <WorkerList status={workers.data} error={workers.error} />
          <Typography tag="h2" variant="delta">
            Host checks
          </Typography>
          <Table colCount={3} rowCount={data.checks.length + 1} aria-label="Host checks">
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">Check</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Status</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Detail and fix</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {data.checks.map((c, i) => (
                <Tr key={`${c.name}-${i}`} data-check={c.name}>
                  <Td>
                    <Typography fontWeight="bold">{c.name}</Typography>
                  </Td>
                  <Td>
                    <Badge variant={BADGE[c.status]}>{c.status}</Badge>
                  </Td>
                  <Td>
                    <Typography style={{ whiteSpace: 'normal' }}>{c.detail}</Typography>
                    {c.fix && (
                      <Typography tag="p" variant="pi" textColor={c.status === 'fail' ? 'danger700' : 'neutral800'} style={{ whiteSpace: 'normal' }}>
                        Fix: {c.fix}
                      </Typography>
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
