/** A fine-tuning run while it goes: stage k of n, the stage's progress and ETA, live loss curves, Cancel. */
import { Button, Flex, Typography } from '@strapi/design-system';
import { Cross } from '@strapi/icons';
import { RunStatus } from '../api';
import { LossCurve } from './LossCurve';
import { Progress } from './Progress';

const eta = (s: number | null) => (s === null ? 'estimating…' : s < 60 ? `about ${Math.ceil(s)} s left` : `about ${Math.ceil(s / 60)} min left`);

export function RunProgress({ run, cancelling, onCancel }: { run: RunStatus; cancelling: boolean; onCancel(): void }) {
  const stage = run.stage ?? 'starting';
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography tag="p">
        {run.base} → <strong>{run.target}</strong> on {run.corpus.name}
      </Typography>
      <Progress
        label={`Stage ${run.stageIndex + 1} of ${run.stages.length}: ${stage}`}
        value={run.total ? (run.step / run.total) * 100 : 0}
        text={`${run.stageDetail ?? stage}: step ${run.step} of ${run.total || '?'}, ${run.state === 'cancelling' ? 'cancelling…' : eta(run.etaSec)}`}
      />
      <Flex gap={6} wrap="wrap" alignItems="flex-start">
        <LossCurve label="Denoiser" series={run.losses.denoiser} />
        <LossCurve label="Decoder" series={run.losses.decoder} />
      </Flex>
      <Flex>
        <Button variant="danger-light" startIcon={<Cross />} loading={cancelling || run.state === 'cancelling'} onClick={onCancel}>
          Cancel run
        </Button>
      </Flex>
    </Flex>
  );
}
