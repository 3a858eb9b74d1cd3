/**
 * Starts a fine-tuning run on a corpus: steps per stage and draws within the server's limits, the
 * fields starting at the server's defaults (as the API and `altbridge finetune` use them); 409 (a
 * run is going) shown as such.
 */
import * as React from 'react';
import { Button, Field, Flex, Grid, SingleSelect, SingleSelectOption } from '@strapi/design-system';
import { Play } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import { CorpusInfo, errorMessage, errorStatus, Limits, RunStatus } from '../api';
import { PLUGIN_ID } from '../pluginId';
import { ErrorNote } from './ErrorNote';

type Key = 'denoiserSteps' | 'decoderSteps' | 'draws';
interface FieldSpec {
  key: Key;
  label: string;
  hint: string;
  min: number;
  max: number;
}

const fields = ({ steps, draws }: Limits['finetune']): FieldSpec[] => [
  { key: 'denoiserSteps', label: 'Denoiser steps', hint: `Training steps of the bridge (${steps[0]}–${steps[1]}).`, min: steps[0], max: steps[1] },
  { key: 'decoderSteps', label: 'Decoder steps', hint: `Training steps of the caption decoder (${steps[0]}–${steps[1]}).`, min: steps[0], max: steps[1] },
  { key: 'draws', label: 'Draws per caption', hint: `Noisy copies of each caption (${draws[0]}–${draws[1]}).`, min: draws[0], max: draws[1] },
];

interface Props {
  corpora: CorpusInfo[];
  corpusId: string | null;
  limits: Limits['finetune'];
  onCorpus(id: string): void;
  onStarted(run: RunStatus): void;
}

export function RunForm({ corpora, corpusId, limits, onCorpus, onStarted }: Props) {
  const { post } = useFetchClient();
  const fieldSpecs = fields(limits);
  const [values, setValues] = React.useState<Record<Key, string>>({
    denoiserSteps: String(limits.defaultSteps),
    decoderSteps: String(limits.defaultSteps),
    draws: String(limits.defaultDraws),
  });
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const invalid = (f: FieldSpec) => {
    const n = Number(values[f.key]);
    return Number.isInteger(n) && n >= f.min && n <= f.max ? undefined : `A whole number from ${f.min} to ${f.max}.`;
  };

  async function start(e: React.FormEvent) {
    e.preventDefault();
    if (!corpusId || fieldSpecs.some(invalid)) return;
    setBusy(true);
    setError(null);
    try {
      const body = { corpusId, ...Object.fromEntries(fieldSpecs.map((f) => [f.key, Number(values[f.key])])) };
      onStarted((await post<{ data: RunStatus }>(`/${PLUGIN_ID}/finetune`, body)).data.data);
    } catch (err) {
      setError(errorStatus(err) === 409 ? `Another fine-tuning run is going: one run at a time. (${errorMessage(err)})` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={start} noValidate aria-label="Start a fine-tuning run">
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Grid.Root gap={4}>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <Field.Root name="corpus" hint="The uploaded corpus to train on (newest first).">
              <Field.Label>Corpus</Field.Label>
              <SingleSelect value={corpusId ?? undefined} placeholder="Upload a corpus first" disabled={corpora.length === 0} onChange={(v) => onCorpus(String(v))}>
                {corpora.map((c) => (
                  <SingleSelectOption key={c.id} value={c.id}>
                    {`${c.name} (${c.report.kept} captions)`}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
              <Field.Hint />
            </Field.Root>
          </Grid.Item>
          {fieldSpecs.map((f) => (
            <Grid.Item key={f.key} col={2} s={12} direction="column" alignItems="stretch">
              <Field.Root name={f.key} hint={f.hint} error={invalid(f)}>
                <Field.Label>{f.label}</Field.Label>
                <Field.Input
                  type="number"
                  inputMode="numeric"
                  min={f.min}
                  max={f.max}
                  value={values[f.key]}
                  onChange={(e: React.ChangeEvent<HTMLInputElement>) => setValues({ ...values, [f.key]: e.target.value })}
                />
                <Field.Error />
                <Field.Hint />
              </Field.Root>
            </Grid.Item>
          ))}
        </Grid.Root>
        {error && <ErrorNote>Not started: {error}</ErrorNote>}
        <Flex>
          <Button type="submit" startIcon={<Play />} loading={busy} disabled={!corpusId}>
            Start fine-tuning
          </Button>
        </Flex>
      </Flex>
    </form>
  );
}
