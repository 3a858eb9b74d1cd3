/** A finished run's evaluation: the new version against the active one on the held-out lines, and Activate. */
import { Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { RunStatus, Scores } from '../api';

const METRICS: [keyof Scores, string][] = [
  ['bleu1', 'BLEU-1'],
  ['bleu4', 'BLEU-4'],
  ['rougeL', 'ROUGE-L'],
  ['ciderD', 'CIDEr-D'],
];
const fmt = (s: Scores | null, k: keyof Scores) => (s ? s[k].toFixed(3) : 'n/a');

export function EvalResult({ run, canActivate, busy, onActivate }: { run: RunStatus; canActivate: boolean; busy: boolean; onActivate(): void }) {
  const ev = run.eval;
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      {ev && ev.new ? (
        <>
          <Typography tag="p">Caption reconstruction of {ev.lines} held-out corpus lines (higher is better):</Typography>
          <Table colCount={3} rowCount={METRICS.length + 1} aria-label="Evaluation of the new bundle against the active one">
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">Metric</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">New: {run.target}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Active: {run.base}</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {METRICS.map(([k, label]) => (
                <Tr key={k}>
                  <Td>
                    <Typography>{label}</Typography>
                  </Td>
                  <Td>
                    <Typography fontWeight={ev.active && ev.new![k] > ev.active[k] ? 'bold' : undefined}>{fmt(ev.new, k)}</Typography>
                  </Td>
                  <Td>
                    <Typography>{fmt(ev.active, k)}</Typography>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </>
      ) : (
        <Typography tag="p">No line of the corpus was held out, so there is no evaluation.</Typography>
      )}
      <Flex gap={2} alignItems="center">
        {run.activated ? (
          <Typography textColor="success700" fontWeight="bold">
            {run.target} is active.
          </Typography>
        ) : (
          canActivate && (
            <Button startIcon={<Check />} loading={busy} onClick={onActivate}>
              Activate {run.target}
            </Button>
          )
        )}
      </Flex>
    </Flex>
  );
}
