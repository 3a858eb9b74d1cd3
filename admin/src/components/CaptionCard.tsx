/**
 * One caption: thumbnail, text, status, why it needs review, and the review actions; for machine
 * text its quality and confidence (they rate the model's caption, not a person's), and how it was
 * made (bundle, bridging depth, steps) under Details, out of an editor's way. Approving over alt text a person wrote first shows that text in a confirmation dialog. Every control is a real
 * button or input with an accessible name that says which image it acts on; Enter saves an edit and
 * Escape cancels it, and focus returns to the button that opened the editor.
 */
import * as React from 'react';
import { Box, Button, Checkbox, Dialog, Field, Flex, Typography } from '@strapi/design-system';
import { ArrowClockwise, Check, Cross, Pencil } from '@strapi/icons';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { styled } from 'styled-components';
import { Caption, errorMessage, fileUrl, Limits } from '../api';
import { confidencePercent, qualityPercent, REVIEW_REASON_LABEL, STATUS_LABEL, STATUS_VARIANT } from '../format';
import { PLUGIN_ID } from '../pluginId';
import { Badge } from './Badge';

const Thumb = styled.img`
  width: 100%;
  aspect-ratio: 4 / 3;
  object-fit: contain;
  background: ${({ theme }) => theme.colors.neutral150};
  border-radius: ${({ theme }) => theme.borderRadius};
  display: block;
`;

const Item = styled.li`
  list-style: none;
  display: flex;
  flex-direction: column;
  gap: ${({ theme }) => theme.spaces[3]};
  padding: ${({ theme }) => theme.spaces[4]};
  background: ${({ theme }) => theme.colors.neutral0};
  border: 1px solid ${({ theme }) => theme.colors.neutral150};
  border-radius: ${({ theme }) => theme.borderRadius};
  box-shadow: ${({ theme }) => theme.shadows.tableShadow};
  &:focus-within {
    border-color: ${({ theme }) => theme.colors.primary600};
  }
`;

const Details = styled.details`
  & > summary {
    cursor: pointer;
    width: fit-content;
  }
`;

type Mode = 'view' | 'edit' | 'regenerate';

interface Props {
  caption: Caption;
  /** The server's limits: M's range for Regenerate, the text length. */
  limits: Limits;
  canEdit: boolean;
  selected: boolean;
  onSelect(selected: boolean): void;
  /** The server's new version of the row after a review action. */
  onChanged(caption: Caption): void;
  /** A regenerate was queued: the list should refresh until the new caption arrives. */
  onQueued(): void;
}

export function CaptionCard({ caption, limits, canEdit, selected, onSelect, onChanged, onQueued }: Props) {
  const { put, post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [mode, setMode] = React.useState<Mode>('view');
  const [draft, setDraft] = React.useState(caption.text ?? '');
  const [m, setM] = React.useState(String(caption.m ?? limits.bundle.defaultM));
  const [busy, setBusy] = React.useState(false);
  const [fieldError, setFieldError] = React.useState<string | undefined>();
  const [confirming, setConfirming] = React.useState(false);
  const editButton = React.useRef<HTMLButtonElement>(null);
  const regenButton = React.useRef<HTMLButtonElement>(null);
  const returnFocus = React.useRef<React.RefObject<HTMLButtonElement> | null>(null);

  const name = caption.file?.name ?? caption.fileName ?? `file ${caption.fileId}`;
  const base = `/${PLUGIN_ID}/captions/${caption.documentId}`;
  const headingId = `altbridge-caption-${caption.documentId}`;

  React.useEffect(() => {
    if (mode === 'view' && returnFocus.current) {
      returnFocus.current.current?.focus();
      returnFocus.current = null;
    }
  }, [mode]);

  const close = (from: React.RefObject<HTMLButtonElement>) => {
    returnFocus.current = from;
    setFieldError(undefined);
    setMode('view');
  };

  async function act(what: string, call: () => Promise<{ data: { data: Caption } }>) {
    setBusy(true);
    try {
      const res = await call();
      onChanged(res.data.data);
      toggleNotification({ type: 'success', message: `${what}: ${name}` });
      return true;
    } catch (err) {
      toggleNotification({ type: 'danger', message: `${what} failed for ${name}: ${errorMessage(err)}` });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    const text = draft.trim();
    if (!text) return setFieldError('Alt text cannot be empty; use Reject for images that need none from the model.');
    if (await act('Caption saved', () => put<{ data: Caption }>(base, { text }))) close(editButton);
  }

  async function regenerate() {
    const value = Number(m);
    const [lo, hi] = limits.settings.m;
    if (!Number.isInteger(value) || value < lo || value > hi) return setFieldError(`M must be a whole number from ${lo} to ${hi}.`);
    setBusy(true);
    try {
      await post(`${base}/regenerate`, { m: value });
      toggleNotification({ type: 'success', message: `Regenerating ${name} at M = ${value}` });
      close(regenButton);
      onQueued();
    } catch (err) {
      setFieldError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const onKey = (submit: () => void, from: React.RefObject<HTMLButtonElement>) => (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(from);
    }
  };

  const alt = caption.file?.alternativeText;
  // As the server decides it: text on the file that is neither the plugin's nor this caption's was written by a person.
  const humanAlt = alt && !caption.altTextFromPlugin && alt !== caption.text ? alt : null;
  const machine = caption.source === 'machine';
  const approve = (replaceHumanText: boolean) => act('Caption approved', () => post<{ data: Caption }>(`${base}/approve`, replaceHumanText ? { replaceHumanText } : {}));
  return (
    <Item aria-labelledby={headingId} data-testid="altbridge-caption" data-document-id={caption.documentId}>
      <Flex justifyContent="space-between" alignItems="flex-start" gap={2}>
        <Typography id={headingId} tag="h2" variant="omega" fontWeight="bold" ellipsis title={name}>
          {name}
        </Typography>
        {canEdit && <Checkbox aria-label={`Select ${name}`} checked={selected} onCheckedChange={(v) => onSelect(v === true)} />}
      </Flex>
      {caption.file ? <Thumb src={fileUrl(caption.file.thumbnailUrl)} alt="" loading="lazy" /> : <Typography variant="pi">The file no longer exists.</Typography>}
      <Flex gap={2} wrap="wrap">
        <Badge variant={STATUS_VARIANT[caption.status]}>{STATUS_LABEL[caption.status]}</Badge>
        {machine && (
          <>
            {caption.lowQuality && <Badge variant="secondary">Low quality</Badge>}
            <Typography variant="pi" textColor="neutral600">
              Quality {qualityPercent(caption.quality)}
            </Typography>
            <Typography variant="pi" textColor="neutral600" title={caption.confidence === null ? undefined : `mean token log-probability ${caption.confidence.toFixed(2)}`}>
              Confidence {confidencePercent(caption.confidence)}
            </Typography>
          </>
        )}
        {caption.source === 'human' && (
          <Typography variant="pi" textColor="neutral600">
            Written by a person
          </Typography>
        )}
      </Flex>

      {mode === 'edit' ? (
        <Field.Root name={`text-${caption.documentId}`} error={fieldError} hint="Enter saves, Escape cancels.">
          <Field.Label>Alt text for {name}</Field.Label>
          <Field.Input autoFocus value={draft} maxLength={limits.captionMaxText} disabled={busy} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey(save, editButton)} />
          <Field.Error />
          <Field.Hint />
          <Flex gap={2} paddingTop={2}>
            <Button onClick={save} loading={busy} startIcon={<Check />}>
              Save
            </Button>
            <Button variant="tertiary" onClick={() => close(editButton)} disabled={busy}>
              Cancel
            </Button>
          </Flex>
        </Field.Root>
      ) : (
        <Box>
          <Typography tag="p" variant="omega" data-testid="altbridge-caption-text">
            {caption.text ?? (caption.status === 'queued' ? 'Captioning…' : 'No caption yet.')}
          </Typography>
          {caption.reviewReason && (
            <Typography tag="p" variant="pi" textColor="neutral800" data-testid="altbridge-review-reason">
              Not written to the alt text. {REVIEW_REASON_LABEL[caption.reviewReason]}.
            </Typography>
          )}
          {caption.error && (
            <Typography tag="p" variant="pi" textColor="danger600">
              Failed: {caption.error}
            </Typography>
          )}
          <Typography tag="p" variant="pi" textColor="neutral600">
            {!alt
              ? 'The file has no alt text.'
              : caption.altTextFromPlugin
                ? 'Alt text: this caption (written by the plugin).'
                : alt === caption.text
                  ? 'Alt text: this caption.'
                  : `Alt text: “${alt}”`}
            {caption.reviewedBy ? ` Reviewed by ${caption.reviewedBy}.` : ''}
          </Typography>
        </Box>
      )}

      {machine && caption.m !== null && (
        <Details>
          <summary aria-label={`Details of the caption of ${name}`}>
            <Typography variant="pi" textColor="neutral600">
              Details
            </Typography>
          </summary>
          <Typography tag="p" variant="pi" textColor="neutral600">
            Made by {caption.bundle}@{caption.bundleVersion} with bridging depth M = {caption.m} (0: none, {limits.settings.m[1]}: deepest), {caption.steps} denoising steps and beam width{' '}
            {caption.beam}.
          </Typography>
        </Details>
      )}

      {mode === 'regenerate' && (
        <Field.Root name={`m-${caption.documentId}`} error={fieldError} hint="0 = no bridging; deeper pulls further toward caption-like text. Enter starts, Escape cancels.">
          <Field.Label>Bridging depth M for {name}</Field.Label>
          <Field.Input
            autoFocus
            type="number"
            min={limits.settings.m[0]}
            max={limits.settings.m[1]}
            step={50}
            value={m}
            disabled={busy}
            onChange={(e) => setM(e.target.value)}
            onKeyDown={onKey(regenerate, regenButton)}
          />
          <Field.Error />
          <Field.Hint />
          <Flex gap={2} paddingTop={2}>
            <Button onClick={regenerate} loading={busy} startIcon={<ArrowClockwise />}>
              Regenerate at M {m}
            </Button>
            <Button variant="tertiary" onClick={() => close(regenButton)} disabled={busy}>
              Cancel
            </Button>
          </Flex>
        </Field.Root>
      )}

      {canEdit && mode === 'view' && (
        <Flex gap={2} wrap="wrap" role="group" aria-label={`Actions for ${name}`}>
          <Button
            ref={editButton}
            variant="secondary"
            size="S"
            startIcon={<Pencil />}
            aria-label={`Edit alt text of ${name}`}
            disabled={busy || caption.status === 'queued'}
            onClick={() => {
              setDraft(caption.text ?? '');
              setMode('edit');
            }}
          >
            Edit
          </Button>
          <Button
            variant="success-light"
            size="S"
            startIcon={<Check />}
            aria-label={`Approve alt text of ${name}`}
            disabled={busy || !caption.text || caption.status === 'approved'}
            onClick={() => (humanAlt ? setConfirming(true) : approve(false))}
          >
            Approve
          </Button>
          <Dialog.Root open={confirming} onOpenChange={setConfirming}>
            <Dialog.Content>
              <Dialog.Header>Replace alt text a person wrote?</Dialog.Header>
              <Dialog.Body>
                <Flex direction="column" alignItems="stretch" gap={2}>
                  <Typography tag="p">The alt text of {name} was written by a person:</Typography>
                  <Typography tag="p" fontWeight="bold" data-testid="altbridge-replaced-text">
                    “{humanAlt}”
                  </Typography>
                  <Typography tag="p">Approving replaces it with the machine caption “{caption.text}”.</Typography>
                </Flex>
              </Dialog.Body>
              <Dialog.Footer>
                <Dialog.Cancel>
                  <Button variant="tertiary">Keep the person’s text</Button>
                </Dialog.Cancel>
                <Dialog.Action>
                  <Button variant="danger-light" onClick={() => approve(true)}>
                    Replace it
                  </Button>
                </Dialog.Action>
              </Dialog.Footer>
            </Dialog.Content>
          </Dialog.Root>
          <Button
            variant="danger-light"
            size="S"
            startIcon={<Cross />}
            aria-label={`Reject alt text of ${name}`}
            disabled={busy || caption.status === 'rejected'}
            onClick={() => act('Caption rejected', () => post<{ data: Caption }>(`${base}/reject`))}
          >
            Reject
          </Button>
          <Button
            ref={regenButton}
            variant="tertiary"
            size="S"
            startIcon={<ArrowClockwise />}
            aria-label={`Regenerate alt text of ${name}`}
            disabled={busy || caption.status === 'queued'}
            onClick={() => {
              setM(String(caption.m ?? limits.bundle.defaultM));
              setMode('regenerate');
            }}
          >
            Regenerate
          </Button>
        </Flex>
      )}
    </Item>
  );
}
