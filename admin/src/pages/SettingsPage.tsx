/**
 * Settings: bridging depth M (a slider, with what deeper bridging does), DDIM steps, beam width,
 * maximum caption length, automatic captioning, the active bundle (its domain shown) and the
 * publishing policy (auto-write, minimum quality, demonstration bundles), with a live preview at
 * several M. Checked here with the limits the server answers (GET /limits), then by the server,
 * whose reasons are shown beside the field they concern. (Version rollback is on the Bundle
 * versions page, VersionsPage.tsx.)
 */
import * as React from 'react';
import { Box, Button, Field, Flex, Grid, SingleSelect, SingleSelectOption, Toggle, Typography } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { styled } from 'styled-components';
import { errorMessage, Limits, Settings } from '../api';
import { DomainNotice } from '../components/DomainNotice';
import { PERMISSIONS } from '../permissions';
import { PLUGIN_ID } from '../pluginId';
import { MPreview } from '../components/MPreview';

type Field = keyof Settings;
type Errors = Partial<Record<Field, string>>;
/** The form's text of each number field (an empty max length means the decoder's own limit). */
interface Form {
  /** null = the active bundle's own M. */
  m: number | null;
  steps: string;
  beam: string;
  maxTokens: string;
  autoCaption: boolean;
  bundle: string;
  autoWrite: boolean;
  /** Empty = the bundle's calibrated threshold. */
  minQuality: string;
  allowDemonstration: boolean;
}

const Range = styled.input`
  width: 100%;
  accent-color: ${({ theme }) => theme.colors.primary600};
  &:focus-visible {
    outline: 2px solid ${({ theme }) => theme.colors.primary600};
    outline-offset: 4px;
  }
`;

export const ProtectedSettingsPage = () => (
  <Page.Protect permissions={PERMISSIONS.settings}>
    <SettingsPage />
  </Page.Protect>
);

const toForm = (s: Settings): Form => ({
  m: s.m,
  steps: String(s.steps),
  beam: String(s.beam),
  maxTokens: s.maxTokens === null ? '' : String(s.maxTokens),
  autoCaption: s.autoCaption,
  bundle: s.bundle,
  autoWrite: s.autoWrite,
  minQuality: s.minQuality === null ? '' : String(s.minQuality),
  allowDemonstration: s.allowDemonstration,
});

/** The form as settings, or the errors that stop it being valid (the server checks the same rules). */
export function validate(f: Form, limits: Limits['settings'], quality: Limits['quality'], bundleM: number): { settings?: Settings; errors: Errors } {
  const errors: Errors = {};
  const whole = (key: 'steps' | 'beam' | 'maxTokens', text: string, what: string) => {
    const [lo, hi] = limits[key];
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < lo || n > hi) errors[key] = `${what} must be a whole number from ${lo} to ${hi}.`;
    return n;
  };
  const steps = whole('steps', f.steps, 'DDIM steps');
  const beam = whole('beam', f.beam, 'Beam width');
  const maxTokens = f.maxTokens.trim() === '' ? null : whole('maxTokens', f.maxTokens, 'Maximum caption length');
  const m = f.m ?? bundleM;
  if (!errors.steps && m > 0 && steps > m) errors.steps = `DDIM steps (${steps}) cannot exceed M (${m}${f.m === null ? ', the bundle’s own' : ''}).`;
  if (!f.bundle) errors.bundle = 'Choose a bundle.';
  const minQuality = f.minQuality.trim() === '' ? null : Number(f.minQuality);
  if (minQuality !== null && (!Number.isFinite(minQuality) || minQuality < quality[0] || minQuality > quality[1]))
    errors.minQuality = `Minimum quality must be a number from ${quality[0]} to ${quality[1]}, or empty for the bundle’s calibrated threshold.`;
  if (Object.keys(errors).length) return { errors };
  return {
    settings: { m: f.m, steps, beam, maxTokens, autoCaption: f.autoCaption, bundle: f.bundle, autoWrite: f.autoWrite, minQuality, allowDemonstration: f.allowDemonstration },
    errors,
  };
}

/** Which field a server message is about: it starts with the field's name, or the engine's name for M and S. */
const ENGINE_NAMES: [string, Field][] = [
  ['DDIM steps', 'steps'],
  ['M', 'm'],
];
const fieldOf = (message: string): Field | undefined =>
  (['maxTokens', 'steps', 'beam', 'bundle', 'autoCaption', 'autoWrite', 'minQuality', 'allowDemonstration', 'm'] as Field[]).find((k) => message.startsWith(`${k} `)) ??
  ENGINE_NAMES.find(([name]) => message.startsWith(`${name} `))?.[1];

export function SettingsPage() {
  const { get, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [form, setForm] = React.useState<Form | null>(null);
  const [bundles, setBundles] = React.useState<string[]>([]);
  const [errors, setErrors] = React.useState<Errors>({});
  const [serverError, setServerError] = React.useState<string | null>(null);
  const [limits, setLimits] = React.useState<Limits | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [saving, setSaving] = React.useState(false);

  React.useEffect(() => {
    Promise.all([get<{ data: Settings }>(`/${PLUGIN_ID}/settings`), get<{ data: string[] }>(`/${PLUGIN_ID}/bundles`), get<{ data: Limits }>(`/${PLUGIN_ID}/limits`)])
      .then(([s, b, l]) => {
        setForm(toForm(s.data.data));
        setBundles(b.data.data);
        setLimits(l.data.data);
      })
      .catch((err: unknown) => setLoadError(errorMessage(err)));
  }, [get]);

  if (loadError) return <Page.Error />;
  if (!form || !limits) return <Page.Loading />;
  const { m: mRange, steps: stepsRange, beam: beamRange, maxTokens: tokensRange } = limits.settings;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm({ ...form, [key]: value });
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  async function save(e?: React.FormEvent) {
    e?.preventDefault();
    if (!form || !limits) return;
    setServerError(null);
    const { settings, errors: found } = validate(form, limits.settings, limits.quality, limits.bundle.defaultM);
    setErrors(found);
    if (!settings) return;
    setSaving(true);
    try {
      const res = await put<{ data: Settings }>(`/${PLUGIN_ID}/settings`, settings);
      setForm(toForm(res.data.data));
      // The active bundle and the threshold in force may have changed with it.
      setLimits((await get<{ data: Limits }>(`/${PLUGIN_ID}/limits`)).data.data);
      toggleNotification({ type: 'success', message: 'Settings saved: new captions use them from the next image.' });
    } catch (err) {
      const message = errorMessage(err);
      const field = fieldOf(message);
      if (field) setErrors({ [field]: message });
      setServerError(message);
    } finally {
      setSaving(false);
    }
  }

  const mDescription = 'altbridge-m-description';
  const bundleM = limits.bundle.defaultM;
  const m = form.m ?? bundleM;
  return (
    <Page.Main>
      <Page.Title>Alt text settings</Page.Title>
      <form onSubmit={save} noValidate aria-label="Captioning settings">
        <Layouts.Header
          title="Alt text settings"
          subtitle="How new captions are made. A change applies to the next image captioned."
          primaryAction={
            <Button type="submit" startIcon={<Check />} loading={saving}>
              Save
            </Button>
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <DomainNotice bundle={limits.bundle} />
            {serverError && (
              <Box role="alert" padding={4} background="danger100" hasRadius>
                <Typography textColor="danger700">Not saved: {serverError}</Typography>
              </Box>
            )}
            <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={2}>
                <Flex justifyContent="space-between">
                  <Typography tag="label" htmlFor="altbridge-m" variant="pi" fontWeight="bold">
                    Bridging depth M
                  </Typography>
                  <Typography tag="output" htmlFor="altbridge-m" variant="pi" aria-live="polite">
                    M = {m}
                    {form.m === null ? ' (the bundle’s own)' : ''}
                  </Typography>
                </Flex>
                <Field.Root
                  name="bundleM"
                  hint={`The depth ${limits.bundle.ref} was tuned at when it was built (M = ${bundleM}), where its quality estimate holds. Off: the slider sets M for every bundle.`}
                >
                  <Field.Label>Use the bundle’s own depth</Field.Label>
                  <Toggle onLabel="On" offLabel="Off" checked={form.m === null} onChange={(e) => set('m', e.target.checked ? null : bundleM)} />
                  <Field.Hint />
                </Field.Root>
                <Range
                  id="altbridge-m"
                  name="m"
                  type="range"
                  min={mRange[0]}
                  max={mRange[1]}
                  step={50}
                  value={m}
                  disabled={form.m === null}
                  aria-describedby={mDescription}
                  aria-valuetext={m === 0 ? 'M = 0, no bridging' : `M = ${m} of ${mRange[1]}`}
                  onChange={(e) => set('m', Number(e.target.value))}
                />
                <Flex justifyContent="space-between" aria-hidden>
                  <Typography variant="pi" textColor="neutral600">
                    0: no bridging
                  </Typography>
                  <Typography variant="pi" textColor="neutral600">
                    {mRange[1]}: deepest
                  </Typography>
                </Flex>
                <Typography id={mDescription} tag="p" variant="pi" textColor="neutral600">
                  Deeper bridging pulls the image embedding further toward the text distribution the captioner learned: more fluent, caption-like text, at the cost of detail from the image. 0 = no
                  bridging (the image embedding goes to the decoder as it is); 600 is the paper’s setting.
                  {form.m === null ? ' The slider is off while the bundle’s own depth is used; turn that off above to set M yourself.' : ''}
                </Typography>
                {errors.m && (
                  <Typography variant="pi" textColor="danger600">
                    {errors.m}
                  </Typography>
                )}
                <MPreview m={m} depths={limits.preview.depths} />
              </Flex>
            </Box>
            <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
              <Grid.Root gap={5}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="steps" error={errors.steps} hint={`DDIM steps from M down to 0 (${stepsRange[0]}–${stepsRange[1]}, at most M). More steps cost time per image.`}>
                    <Field.Label>DDIM steps</Field.Label>
                    <Field.Input type="number" inputMode="numeric" min={stepsRange[0]} max={stepsRange[1]} value={form.steps} onChange={(e) => set('steps', e.target.value)} />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="beam" error={errors.beam} hint={`Captions the decoder weighs at once (${beamRange[0]}–${beamRange[1]}; 1 = greedy).`}>
                    <Field.Label>Beam width</Field.Label>
                    <Field.Input type="number" inputMode="numeric" min={beamRange[0]} max={beamRange[1]} value={form.beam} onChange={(e) => set('beam', e.target.value)} />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="maxTokens" error={errors.maxTokens} hint={`In tokens (${tokensRange[0]}–${tokensRange[1]}); empty = the model’s own limit.`}>
                    <Field.Label>Maximum caption length</Field.Label>
                    <Field.Input
                      type="number"
                      inputMode="numeric"
                      min={tokensRange[0]}
                      max={tokensRange[1]}
                      value={form.maxTokens}
                      placeholder="Model’s limit"
                      onChange={(e) => set('maxTokens', e.target.value)}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="bundle" error={errors.bundle} hint="The model bundle that captions new images.">
                    <Field.Label>Active bundle</Field.Label>
                    <SingleSelect value={form.bundle} onChange={(v) => set('bundle', String(v))}>
                      {(bundles.includes(form.bundle) ? bundles : [form.bundle, ...bundles]).map((b) => (
                        <SingleSelectOption key={b} value={b}>
                          {b}
                        </SingleSelectOption>
                      ))}
                    </SingleSelect>
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="autoCaption" hint="Caption every image uploaded to the Media Library. Off: only Regenerate and backfill caption.">
                    <Field.Label>Caption new uploads automatically</Field.Label>
                    <Toggle onLabel="On" offLabel="Off" checked={form.autoCaption} onChange={(e) => set('autoCaption', e.target.checked)} />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="autoWrite"
                    hint="Write a caption to the image’s alt text when it meets the minimum quality and the image is in the bundle’s domain. Off: every caption waits for a person. Alt text a person wrote is never replaced."
                  >
                    <Field.Label>Write alt text automatically</Field.Label>
                    <Toggle onLabel="On" offLabel="Off" checked={form.autoWrite} onChange={(e) => set('autoWrite', e.target.checked)} />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="minQuality"
                    error={errors.minQuality}
                    hint={`Probability (${limits.quality[0]}–${limits.quality[1]}) that a caption makes no false claim, needed to write it. Empty = the bundle’s calibrated threshold (${limits.bundle.threshold}); 0 = no quality bar, so uncalibrated captions are written too.`}
                  >
                    <Field.Label>Minimum quality</Field.Label>
                    <Field.Input
                      type="number"
                      inputMode="decimal"
                      min={limits.quality[0]}
                      max={limits.quality[1]}
                      step={0.01}
                      value={form.minQuality}
                      placeholder={`Bundle’s threshold (${limits.bundle.threshold})`}
                      onChange={(e) => set('minQuality', e.target.value)}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="allowDemonstration" hint="A demonstration bundle is not meant for real images: its captions wait for review unless this is on.">
                    <Field.Label>Let a demonstration bundle write alt text</Field.Label>
                    <Toggle onLabel="On" offLabel="Off" checked={form.allowDemonstration} onChange={(e) => set('allowDemonstration', e.target.checked)} />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>
            </Box>
          </Flex>
        </Layouts.Content>
      </form>
    </Page.Main>
  );
}
