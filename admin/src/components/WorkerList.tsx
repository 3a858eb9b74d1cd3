/** Host check's caption workers: the live ones from their heartbeats, or the missing worker named with the fix. */
import { Box, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import type { WorkerInfo, WorkersStatus } from '../api';
import { ErrorNote } from './ErrorNote';
import { Fix, waitingText } from './WorkerBanner';

const MODE = { inline: 'inside Strapi', external: 'npx altbridge worker' } as const;

function lastJob(w: WorkerInfo): string {
  const j = w.lastJob;
  if (!j) return 'none yet';
  const file = j.fileName ? `${j.fileName} (file ${j.fileId})` : `file ${j.fileId}`;
  return `${file}: ${j.status.replace('-', ' ')} in ${j.ms} ms, ${new Date(j.at).toLocaleTimeString()}`;
}

const HEADERS = ['Host', 'PID', 'Mode', 'Bundle', 'Concurrency', 'Last job'];

export function WorkerList({ status, error }: { status: WorkersStatus | null; error: string | null }) {
  if (!status) return error ? <ErrorNote>Could not list the caption workers: {error}</ErrorNote> : null;
  if (status.workers.length === 0) {
    return (
      <Box role="note" aria-label="Caption worker missing" padding={4} background={status.stalled ? 'danger100' : 'warning100'} hasRadius>
        <Typography tag="p" fontWeight="bold" textColor={status.stalled ? 'danger700' : 'neutral800'}>
          No caption worker is running ({status.waiting > 0 ? waitingText(status.waiting) : 'no job waiting'}; this server is set to worker “{status.configured}”).
        </Typography>
        <Typography tag="p" textColor={status.stalled ? 'danger700' : 'neutral800'}>
          Fix: <Fix text={status.fix} />.
        </Typography>
      </Box>
    );
  }
  return (
    <Table colCount={HEADERS.length} rowCount={status.workers.length + 1} aria-label="Caption workers">
      <Thead>
        <Tr>
          {HEADERS.map((h) => (
            <Th key={h}>
              <Typography variant="sigma">{h}</Typography>
            </Th>
          ))}
        </Tr>
      </Thead>
      <Tbody>
        {status.workers.map((w) => (
          <Tr key={w.id} data-worker={w.id}>
            <Td>
              <Typography>{w.host}</Typography>
            </Td>
            <Td>
              <Typography>{w.pid}</Typography>
            </Td>
            <Td>
              <Typography>{MODE[w.mode]}</Typography>
            </Td>
            <Td>
              <Typography>{w.bundle ?? 'not loaded yet'}</Typography>
            </Td>
            <Td>
              <Typography>{w.concurrency}</Typography>
            </Td>
            <Td>
              <Typography style={{ whiteSpace: 'normal' }}>{lastJob(w)}</Typography>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
