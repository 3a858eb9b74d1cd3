/**
 * Shown while caption jobs wait and no caption worker has been seen (GET /workers, polled): uploads
 * would stay "Queued" with nothing else saying why. The fix is the server's own words.
 */
import { Box, Typography } from '@strapi/design-system';
import type { WorkersStatus } from '../api';
import { useResource } from '../hooks/useResource';
import { PLUGIN_ID } from '../pluginId';

const POLL = { ms: 10_000, while: () => true };

/** The server's fix, with its `commands` set as code. */
export const Fix = ({ text }: { text: string }) => (
  <>
    {text.split('`').map((part, i) =>
      i % 2 === 1 ? (
        <code key={i} style={{ fontFamily: 'monospace', fontWeight: 600 }}>
          {part}
        </code>
      ) : (
        part
      ),
    )}
  </>
);

export const waitingText = (n: number) => `${n} caption job${n === 1 ? '' : 's'} waiting`;

export function WorkerBanner() {
  const { data } = useResource<WorkersStatus>(`/${PLUGIN_ID}/workers`, undefined, POLL);
  if (!data?.stalled) return null;
  return (
    <Box role="alert" aria-label="No caption worker" marginTop={4} marginLeft={10} marginRight={10} padding={4} background="danger100" borderColor="danger200" hasRadius>
      <Typography tag="p" textColor="danger700" fontWeight="bold">
        No caption worker is running: {waitingText(data.waiting)}, and uploads stay “Queued” until one starts.
      </Typography>
      <Typography tag="p" textColor="danger700">
        To fix: <Fix text={data.fix} />.
      </Typography>
    </Box>
  );
}
