"use client";

import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import {
  buildTimeline,
  CARD_MAX_S,
  CARD_MIN_S,
  type Cards,
  cardsToFit,
  DEFAULT_CARDS,
  orderedClips,
  TARGET_MAX_S,
  TARGET_MIN_S,
} from "@/components/composition/timeline";
import { DurationWarning } from "@/components/composition/DurationWarning";
import { FontPreviews } from "@/components/composition/FontPreviews";
import { type MusicSource, MusicSourcePicker, musicSourceFields } from "@/components/composition/MusicUpload";
import { type VariantDraft, VariantsEditor, variantsBody, variantsFromBody } from "@/components/composition/VariantsEditor";
import { ProgressPanel } from "@/components/generation/ProgressPanel";
import { StageFailure } from "@/components/generation/StageFailure";
import { VOICEOVER_DEFAULTS, type VoiceoverForm, VoiceoverCard } from "@/components/composition/VoiceoverCard";
import { ScreenLayout } from "@/components/session/ScreenLayout";
import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { CharCounter, FieldLabel, InputField, inputClass } from "@/components/ui/Field";
import { ActionProblem, ProblemNotice } from "@/components/ui/ProblemNotice";
import { ApiError, call } from "@/lib/api";
import { absoluteUrl, useConfig } from "@/lib/config";
import { describeProblem } from "@/lib/errors";
import { timestamp } from "@/lib/format";
import { draftFromVersion, draftOf, loopApi } from "@/lib/loop";
import { runningStage, screenPath } from "@/lib/screens";
import type { ComposeRequest, CompositionDraft, Font, Genre, OutputFormat, Session } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";
import { useAutoplay } from "@/lib/useAutoplay";
import { runsOnline, useEngines } from "@/lib/useEngines";

const COLOURS = ["#FFFFFF", "#111827", "#F9D648", "#FF5A7A", "#38BDF8", "#34D399"];
const GENRES: Genre[] = ["upbeat", "chill", "energetic"];
type MusicModel = NonNullable<NonNullable<ComposeRequest["audio"]>["model"]>;
// The online engine's music models (offline, the track is synthesised whatever is chosen). Ads are
// commercial: MusicGen's licence is shown wherever it is offered.
const MUSIC_MODELS: { id: MusicModel; label: string }[] = [
  { id: "stable-audio-2.5", label: "Stable Audio 2.5 (commercial use allowed)" },
  { id: "musicgen", label: "MusicGen (non-commercial licence CC-BY-NC)" },
];
const FORMATS: { value: OutputFormat; label: string; size: string }[] = [
  { value: "16:9", label: "Landscape 16:9", size: "1920×1080" },
  { value: "9:16", label: "Vertical 9:16", size: "1080×1920" },
  { value: "1:1", label: "Square 1:1", size: "1080×1080" },
];
const CARD_STEPS = [0.5, 1, 1.5, 2, 2.5, 3];

function RadioCard({
  name,
  value,
  checked,
  onChange,
  disabled,
  children,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: () => void;
  disabled?: boolean;
  children: React.ReactNode;
}) {
  return (
    <label
      className={clsx(
        "flex cursor-pointer items-center gap-3 rounded-xl px-4 py-3 ring-1 ring-inset transition has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500",
        checked ? "bg-brand-50 ring-brand-500" : "bg-white ring-slate-200 hover:bg-slate-50",
        disabled && "cursor-not-allowed opacity-60",
      )}
    >
      <input type="radio" name={name} value={value} checked={checked} onChange={onChange} disabled={disabled} className="h-4 w-4 accent-brand-600" />
      <span className="min-w-0 flex-1 text-sm">{children}</span>
    </label>
  );
}

interface Form extends VoiceoverForm {
  productName: string;
  cta: string;
  colour: string;
  font: string;
  music: boolean;
  genre: Genre;
  musicModel: MusicModel;
  musicSource: MusicSource;
  uploadId: string;
  format: OutputFormat;
  variants: VariantDraft[];
  intro: number;
  outro: number;
  transition: number;
  brandKit: string;
  brandLogo: BrandLogo;
}

type BrandLogo = "none" | "top_left" | "top_right" | "bottom_left" | "bottom_right";
type BrandKit = { id: string; name: string; primary_color: string; default_cta: string | null; has_logo: boolean; font_family: string | null };

/** The form as the saved draft holds it (or the defaults). */
function formFromDraft(draft: CompositionDraft | null): Form {
  return {
    productName: draft?.text_overlay?.product_name ?? "",
    cta: draft?.text_overlay?.cta ?? "Shop Now",
    colour: (draft?.text_overlay?.color ?? "#FFFFFF").toUpperCase(),
    font: draft?.text_overlay?.font ?? "",
    music: draft?.audio?.enabled ?? true,
    genre: draft?.audio?.genre ?? "upbeat",
    musicModel: draft?.audio?.model ?? "stable-audio-2.5",
    musicSource: draft?.audio?.source ?? "generated",
    uploadId: draft?.audio?.upload_id ?? "",
    format: draft?.formats?.[0] ?? "16:9",
    variants: variantsFromBody(draft?.variants as Parameters<typeof variantsFromBody>[0]),
    intro: draft?.intro_duration ?? DEFAULT_CARDS.intro,
    outro: draft?.outro_duration ?? DEFAULT_CARDS.outro,
    transition: draft?.transition_duration ?? DEFAULT_CARDS.transition,
    voiceover: draft?.voiceover?.enabled ?? VOICEOVER_DEFAULTS.voiceover,
    script: draft?.voiceover?.script ?? VOICEOVER_DEFAULTS.script,
    voice: draft?.voiceover?.voice ?? VOICEOVER_DEFAULTS.voice,
    speed: draft?.voiceover?.speed ?? VOICEOVER_DEFAULTS.speed,
    captions: draft?.captions?.style ?? VOICEOVER_DEFAULTS.captions,
    brandKit: draft?.brand_kit_id ?? "",
    brandLogo: draft?.brand_logo ?? "none",
  };
}

/** The form as the compose call (and the saved draft) spells it. */
function draftFromForm(form: Form): CompositionDraft {
  return {
    text_overlay: { product_name: form.productName, cta: form.cta, font: form.font, color: form.colour.toUpperCase() },
    audio: { enabled: form.music, genre: form.genre, model: form.musicModel, ...musicSourceFields(form.musicSource, form.uploadId) },
    intro_duration: form.intro,
    outro_duration: form.outro,
    transition_duration: form.transition,
    formats: [form.format],
    variants: variantsBody(form.variants, form.musicModel),
    voiceover: { enabled: form.voiceover, script: form.script, voice: form.voice, speed: form.speed },
    captions: { style: form.captions },
    brand_kit_id: form.brandKit || null,
    brand_logo: form.brandLogo,
  };
}

type FieldKey = "product_name" | "cta" | "font" | "color" | "cards";

/** Which field a refusal is about ("overlay.cta: has 3 lines", "Cta: use at most 30 characters"). */
export function fieldOf(message: string): FieldKey | null {
  const m = message.toLowerCase();
  if (/product[ _]name\b/.test(m)) return "product_name";
  if (/\bcta\b|call to action/.test(m)) return "cta";
  if (/\bfont\b/.test(m)) return "font";
  if (/\bcolou?r\b/.test(m)) return "color";
  if (/intro|outro|transition/.test(m)) return "cards";
  return null;
}

function FieldError({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error mt-1.5 text-sm text-rose-700" role="alert">
      {message}
    </p>
  );
}

/** A required text of the intro or outro card, with its live count and the refusal about it, if any. */
function OverlayTextField({
  id,
  label,
  placeholder,
  max,
  value,
  onChange,
  error,
  disabled,
}: {
  id: FieldKey;
  label: string;
  placeholder: string;
  max: number;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  disabled: boolean;
}) {
  const errorId = `${id}-error`;
  return (
    <InputField
      id={id}
      name={id}
      label={label}
      aside={<CharCounter value={value} max={max} />}
      placeholder={placeholder}
      maxLength={max}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={Boolean(error)}
      aria-describedby={error ? errorId : undefined}
      disabled={disabled}
      required
    >
      <FieldError id={errorId} message={error ?? null} />
    </InputField>
  );
}

/** Screen 5: text overlay, music, output format, the sequence preview, then the final render. */
export function FinishScreen({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const { apiUrl } = useConfig();
  // Offline, the track is synthesised: a model choice would do nothing.
  const musicOnline = runsOnline(useEngines(api), "compositor");
  const router = useRouter();
  // The saved draft, else the settings of the latest render (a session composed before drafts).
  const latest = session.finals?.[0];
  const serverDraft = draftOf(session) ?? (latest ? draftFromVersion(latest) : null);
  const [form, setForm] = useState<Form>(() => formFromDraft(serverDraft));
  const [fonts, setFonts] = useState<Font[] | null>(null);
  const { error: fontError, attempt: attemptFonts } = useActionError();
  const [busy, setBusy] = useState(false);
  const { error, setError, attempt } = useActionError();
  const [saveState, setSaveState] = useState<"saved" | "saving" | "unsaved" | null>(null);
  // The free 480p animatic of the timeline as it stands (no cost), rendered on request.
  const [preview, setPreview] = useState<{ url: string; duration: number; note: string } | null>(null);
  const previewVideo = useRef<HTMLVideoElement>(null);
  useAutoplay(previewVideo, preview?.url ?? null);
  const [previewing, setPreviewing] = useState(false);
  const [brandKits, setBrandKits] = useState<BrandKit[]>([]);
  useEffect(() => {
    // Optional: without kits (or when the call fails) the card offers "No kit" alone.
    call(api.GET("/api/brand-kits")).then(setBrandKits, () => setBrandKits([]));
  }, [api]);
  const dirty = useRef(false);
  const composing = session.stage === "final_composition";
  // Any idle session with clips on the board can render (again): a failed render is edited and re-run.
  const editable = runningStage(session) === null && session.clip_order.length > 0;
  const { productName, cta, colour, font, music, genre, format, variants } = form;
  const edit = (change: Partial<Form>) => {
    dirty.current = true;
    setForm((f) => ({ ...f, ...change }));
  };

  // The draft on the server wins whenever this tab has nothing unsaved (another tab, a reload).
  const serverKey = JSON.stringify(serverDraft ?? null);
  useEffect(() => {
    if (dirty.current || !serverDraft) return;
    setForm((current) => (JSON.stringify(draftFromForm(current)) === JSON.stringify(serverDraft) ? current : formFromDraft(serverDraft)));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follows the draft's content
  }, [serverKey]);

  // Save as the user types: one PUT after a pause.
  const formKey = JSON.stringify(draftFromForm(form));
  useEffect(() => {
    if (!dirty.current) return;
    setSaveState("unsaved");
    const timer = setTimeout(async () => {
      setSaveState("saving");
      try {
        await loopApi(api, session.id).saveComposition(JSON.parse(formKey) as CompositionDraft);
        dirty.current = false;
        setSaveState("saved");
        void refresh();
      } catch {
        setSaveState("unsaved");
      }
    }, 600);
    return () => clearTimeout(timer);
  }, [formKey, api, session.id, refresh]);

  // The render this screen started (or watched) finished: show the new version.
  const lastStage = useRef(session.stage);
  useEffect(() => {
    if (lastStage.current === "final_composition" && session.stage === "complete") {
      router.push(screenPath(session.id, "result"));
    }
    lastStage.current = session.stage;
  }, [session.stage, session.id, router]);

  async function loadFonts() {
    await attemptFonts(async () => {
      const reply = await call(api.GET("/api/fonts"));
      setFonts(reply.fonts);
      setForm((f) => (f.font ? f : { ...f, font: reply.default || reply.fonts[0]?.id || "" }));
    });
  }
  useEffect(() => {
    void loadFonts();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per screen
  }, []);

  const cards: Cards = { intro: form.intro, outro: form.outro, transition: form.transition };
  const timeline = buildTimeline(session, cards);
  const total = timeline.length ? timeline[timeline.length - 1].end : 0;
  const clipS = orderedClips(session).map((c) => c.duration);
  const outside = clipS.length > 0 && (total < TARGET_MIN_S || total > TARGET_MAX_S);
  const fit = outside ? cardsToFit(clipS, cards) : null;
  const brandFont = brandKits.find((k) => k.id === form.brandKit)?.font_family ?? null;
  const fontName = font === "brand" && brandFont ? brandFont : (fonts?.find((f) => f.id === font)?.name ?? font);

  // What was refused, next to the field that caused it: this call's 422, or the failed render.
  const fieldErrors: Partial<Record<FieldKey, string>> = {};
  const refusals =
    error instanceof ApiError && error.status === 422
      ? error.fields.length
        ? error.fields
        : [error.detail]
      : session.stage === "failed" && session.failed_stage === "final_composition" && session.error
        ? [session.error]
        : [];
  for (const line of refusals) {
    const key = fieldOf(line);
    if (key && !fieldErrors[key]) fieldErrors[key] = line;
  }

  function composeBody() {
    return {
      session_id: session.id,
      text_overlay: { product_name: productName.trim(), cta: cta.trim(), font: font || "default", color: colour.toUpperCase() },
      audio: { enabled: music, genre, model: form.musicModel, ...musicSourceFields(form.musicSource, form.uploadId) },
      intro_duration: form.intro,
      outro_duration: form.outro,
      transition_duration: form.transition,
      formats: [format],
      variants: variantsBody(variants, form.musicModel),
      voiceover: { enabled: form.voiceover, script: form.voiceover ? form.script.trim() : null, voice: form.voice, speed: form.speed },
      captions: { style: form.voiceover ? form.captions : ("none" as const) },
      brand_kit_id: form.brandKit || null,
      brand_logo: form.brandKit ? form.brandLogo : ("none" as const),
    };
  }

  async function renderPreview() {
    await attempt(async () => {
      // The preview is the main final as it will be (brand kit, voice and captions too); variants are not previewed.
      const { variants: _finals, ...body } = composeBody();
      const reply = await call(
        api.POST("/api/sessions/{session_id}/preview", { params: { path: { session_id: session.id } }, body }),
      );
      setPreview({ url: absoluteUrl(apiUrl, reply.url), duration: reply.duration, note: reply.note ?? "" });
    }, setPreviewing);
  }

  async function compose(event: React.FormEvent) {
    event.preventDefault();
    await attempt(async () => {
      await call(api.POST("/api/compose-final-video", { body: composeBody() }));
      lastStage.current = "final_composition";
      await refresh();
    }, setBusy);
  }

  return (
    <ScreenLayout screen="finish" session={session} title="Add Finishing Touches" subtitle="Name the product, add a call to action and music, then render the ad.">
      <form onSubmit={compose} className="space-y-6">
        <Card>
          <CardHeader title="Text overlay" description="Shown on the intro and outro cards." />
          <div className="grid gap-5 p-4 sm:grid-cols-2 sm:p-6">
            <OverlayTextField id="product_name" label="Product name" placeholder="AirRun Pro" max={50} value={productName} onChange={(v) => edit({ productName: v })} error={fieldErrors.product_name} disabled={!editable} />
            <OverlayTextField id="cta" label="Call to action" placeholder="Shop Now" max={30} value={cta} onChange={(v) => edit({ cta: v })} error={fieldErrors.cta} disabled={!editable} />
            <div>
              <FieldLabel htmlFor="color">Text colour</FieldLabel>
              <div className="flex flex-wrap items-center gap-3">
                <input
                  id="color"
                  name="color"
                  type="color"
                  className="h-10 w-14 cursor-pointer rounded-lg border border-slate-300 bg-white p-1"
                  value={colour.toLowerCase()}
                  onChange={(e) => edit({ colour: e.target.value.toUpperCase() })}
                  disabled={!editable}
                />
                <div className="flex flex-wrap gap-1.5" role="group" aria-label="Colour presets">
                  {COLOURS.map((c) => (
                    <button
                      key={c}
                      type="button"
                      disabled={!editable}
                      onClick={() => edit({ colour: c })}
                      className={clsx(
                        "h-7 w-7 rounded-full ring-1 ring-inset ring-slate-300 transition focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600",
                        colour.toUpperCase() === c && "ring-2 ring-brand-600 ring-offset-2",
                      )}
                      style={{ backgroundColor: c }}
                      aria-label={`Use colour ${c}`}
                      aria-pressed={colour.toUpperCase() === c}
                    />
                  ))}
                </div>
                <span className="font-mono text-xs text-slate-500">{colour.toUpperCase()}</span>
              </div>
              <FieldError id="color-error" message={fieldErrors.color ?? null} />
            </div>
            <div>
              <FieldLabel htmlFor="font">Font</FieldLabel>
              {fontError !== null ? (
                <ProblemNotice problem={describeProblem(fontError)} onRetry={() => void loadFonts()} />
              ) : (
                <select id="font" name="font" className={inputClass} value={font} onChange={(e) => edit({ font: e.target.value })} disabled={!editable || !fonts}>
                  {!fonts && <option>Loading fonts…</option>}
                  {brandFont && <option value="brand">{brandFont} (your brand kit&apos;s font)</option>}
                  {fonts?.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              )}
              {fonts && (
                <FontPreviews text={productName} colour={colour} fonts={fonts} value={font} onChange={(id) => edit({ font: id })} disabled={!editable} />
              )}
              <FieldError id="font-error" message={fieldErrors.font ?? null} />
            </div>
          </div>
        </Card>

        <Card>
          <CardHeader title="Brand kit" description={<>Your colour and font for the texts, your secondary colour as the call-to-action button, your default CTA and your logo in a corner. <Link href="/brand" className="text-brand-700 underline">Manage kits</Link></>} />
          <div className="grid gap-4 p-6 pt-0 sm:grid-cols-2">
            <div>
              <FieldLabel htmlFor="brand-kit">Kit</FieldLabel>
              <select
                id="brand-kit"
                className={inputClass}
                value={form.brandKit}
                disabled={!editable}
                onChange={(e) => {
                  const kit = brandKits.find((k) => k.id === e.target.value);
                  // The kit styles the texts: its colour, its font and its CTA (when it has them) fill the form.
                  const plainFont = font === "brand" ? (fonts?.[0]?.id ?? "default") : font;
                  edit(
                    kit
                      ? { brandKit: kit.id, colour: kit.primary_color, font: kit.font_family ? "brand" : plainFont, ...(kit.default_cta ? { cta: kit.default_cta } : {}), brandLogo: kit.has_logo ? form.brandLogo : "none" }
                      : { brandKit: "", brandLogo: "none", font: plainFont },
                  );
                }}
              >
                <option value="">No kit</option>
                {brandKits.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <FieldLabel htmlFor="brand-logo">Logo</FieldLabel>
              <select id="brand-logo" className={inputClass} value={form.brandLogo} disabled={!editable || !brandKits.find((k) => k.id === form.brandKit)?.has_logo} onChange={(e) => edit({ brandLogo: e.target.value as BrandLogo })}>
                <option value="none">No logo</option>
                <option value="top_left">Top left</option>
                <option value="top_right">Top right</option>
                <option value="bottom_left">Bottom left</option>
                <option value="bottom_right">Bottom right</option>
              </select>
            </div>
          </div>
        </Card>

        <Card>
          <CardHeader
            title="Audio"
            description="Music made for your ad (online by the model you choose, offline synthesised) or your own track, loudness-normalised; the cuts land on its beat."
          />
          <div className="space-y-4 p-4 sm:p-6">
            <label className="flex cursor-pointer items-center justify-between gap-4">
              <span>
                <span className="block text-sm font-medium text-slate-800">Add background music</span>
                <span className="block text-xs text-slate-500">A track the length of the ad, fading out at the end.</span>
              </span>
              <input
                type="checkbox"
                role="switch"
                name="music"
                className="peer sr-only"
                checked={music}
                onChange={(e) => edit({ music: e.target.checked })}
                disabled={!editable}
              />
              <span
                aria-hidden="true"
                className={clsx(
                  "relative h-6 w-11 flex-none rounded-full transition peer-focus-visible:ring-2 peer-focus-visible:ring-brand-500 peer-focus-visible:ring-offset-2",
                  music ? "bg-brand-600" : "bg-slate-300",
                )}
              >
                <span className={clsx("absolute top-0.5 h-5 w-5 rounded-full bg-white shadow transition", music ? "left-[22px]" : "left-0.5")} />
              </span>
            </label>
            {music && (
              <MusicSourcePicker
                sessionId={session.id}
                source={form.musicSource}
                uploadId={form.uploadId}
                onChange={(change) => edit(change)}
                disabled={!editable}
              />
            )}
            {music && form.musicSource === "generated" && (
              <fieldset>
                <legend className="mb-2 text-sm font-medium text-slate-800">Genre</legend>
                <div className="grid grid-cols-1 gap-3 min-[480px]:grid-cols-3">
                  {GENRES.map((g) => (
                    <RadioCard key={g} name="genre" value={g} checked={genre === g} onChange={() => edit({ genre: g })} disabled={!editable}>
                      <span className="font-medium capitalize text-slate-900">{g}</span>
                    </RadioCard>
                  ))}
                </div>
              </fieldset>
            )}
            {music && form.musicSource === "generated" && musicOnline && (
              <div>
                <label htmlFor="music-model" className="mb-1 block text-sm font-medium text-slate-800">
                  Music model
                </label>
                <select
                  id="music-model"
                  name="music-model"
                  className={inputClass}
                  value={form.musicModel}
                  onChange={(e) => edit({ musicModel: e.target.value as MusicModel })}
                  disabled={!editable}
                >
                  {MUSIC_MODELS.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.label}
                    </option>
                  ))}
                </select>
                {form.musicModel === "musicgen" && (
                  <p className="mt-1 text-xs text-amber-800" role="note">
                    MusicGen&apos;s weights are licensed CC-BY-NC 4.0 (non-commercial): its music may not be used in ads you sell or
                    run. Stable Audio 2.5&apos;s may.
                  </p>
                )}
              </div>
            )}
          </div>
        </Card>

        <VoiceoverCard
          api={api}
          sessionId={session.id}
          productName={productName}
          cta={cta}
          form={form}
          onChange={(change) => edit(change)}
          disabled={!editable}
        />

        <Card>
          <CardHeader title="Output format" />
          <fieldset className="grid gap-3 p-4 sm:grid-cols-3 sm:p-6">
            <legend className="sr-only">Output format</legend>
            {FORMATS.map((f) => (
              <RadioCard key={f.value} name="format" value={f.value} checked={format === f.value} onChange={() => edit({ format: f.value })} disabled={!editable}>
                <span className="block font-medium text-slate-900">{f.label}</span>
                <span className="block text-xs text-slate-500">{f.size} · MP4, 30 fps</span>
              </RadioCard>
            ))}
          </fieldset>
        </Card>

        <VariantsEditor main={format} drafts={variants} onChange={(next) => edit({ variants: next })} fonts={fonts} disabled={!editable} />

        <Card>
          <CardHeader title="Sequence preview" description={<span className="composed-duration">Total duration: {total.toFixed(1)} seconds</span>} />
          <div className="flex flex-wrap items-end gap-4 px-4 pt-4 sm:px-6">
            {(["intro", "outro"] as const).map((card) => (
              <div key={card} className="w-32">
                <FieldLabel htmlFor={`${card}_duration`}>{card === "intro" ? "Intro card" : "Outro card"}</FieldLabel>
                <select
                  id={`${card}_duration`}
                  name={`${card}_duration`}
                  className={inputClass}
                  value={form[card]}
                  disabled={!editable}
                  onChange={(e) => edit({ [card]: Number(e.target.value) })}
                >
                  {Array.from(new Set([...CARD_STEPS, form[card]]))
                    .filter((v) => v >= CARD_MIN_S && v <= CARD_MAX_S)
                    .sort((a, b) => a - b)
                    .map((v) => (
                      <option key={v} value={v}>
                        {v.toFixed(1)} s
                      </option>
                    ))}
                </select>
              </div>
            ))}
            <FieldError id="cards-error" message={fieldErrors.cards ?? null} />
          </div>
          {outside && (
            <DurationWarning total={total} className="mx-4 mt-4 sm:mx-6">
              <div className="mt-2 flex flex-wrap items-center gap-3">
                {fit && (
                  <Button size="sm" variant="secondary" wrap disabled={!editable} onClick={() => edit({ intro: fit.intro, outro: fit.outro })}>
                    Make the cards {fit.intro.toFixed(1)} s and {fit.outro.toFixed(1)} s
                  </Button>
                )}
                <Link href={screenPath(session.id, "clips")} className="font-medium underline">
                  Change the clips
                </Link>
              </div>
            </DurationWarning>
          )}
          <ol className="sequence-preview flex gap-3 overflow-x-auto p-4 sm:p-6" aria-label="Sequence with timestamps">
            {timeline.map((seg) => (
              <li key={`${seg.kind}-${seg.label}`} className="w-36 flex-none">
                <div className="relative flex aspect-video items-center justify-center overflow-hidden rounded-lg bg-slate-900 ring-1 ring-slate-200">
                  {seg.imageUrl ? (
                    // eslint-disable-next-line @next/next/no-img-element -- signed gateway URLs
                    <img src={absoluteUrl(apiUrl, seg.imageUrl)} alt="" className="h-full w-full object-cover" />
                  ) : (
                    <span className="truncate px-2 text-center text-sm font-bold" style={{ color: colour }} title={fontName}>
                      {seg.kind === "intro" ? productName || "Product name" : cta || "Call to action"}
                    </span>
                  )}
                </div>
                <p className="mt-1.5 text-xs font-semibold text-slate-800">{seg.label}</p>
                <p className="text-xs tabular-nums text-slate-500">
                  {timestamp(seg.start)} – {timestamp(seg.end)}
                </p>
              </li>
            ))}
          </ol>
        </Card>

        {preview !== null && (
          <Card className="preview-card p-4 sm:p-6">
            <CardHeader title="Preview" description={`A free 480p sketch of the ad (${preview.duration.toFixed(1)} s): the final render is sharper.`} />
            <video ref={previewVideo} src={preview.url} controls playsInline className="preview-video mt-3 w-full rounded-lg bg-slate-950" aria-label="Preview of your ad" />
            {preview.note && <p className="preview-note mt-2 text-xs text-slate-600">Note: {preview.note}.</p>}
          </Card>
        )}
        <ActionProblem error={error} onDismiss={() => setError(null)} />
        <StageFailure session={session} />
        {composing && <ProgressPanel session={session} title="Rendering your ad" />}
        {editable && (
          <div className="flex flex-wrap items-center justify-end gap-4">
            <span className="draft-state text-xs text-slate-500" role="status" aria-live="polite">
              {saveState === "saving" ? "Saving draft…" : saveState === "saved" ? "Draft saved" : saveState === "unsaved" ? "Not saved yet" : ""}
            </span>
            <Button
              type="button"
              size="lg"
              variant="secondary"
              loading={previewing}
              disabled={!productName.trim() || !cta.trim() || !fonts || busy}
              onClick={() => void renderPreview()}
            >
              Preview (free)
            </Button>
            <Button type="submit" size="lg" loading={busy} disabled={!productName.trim() || !cta.trim() || !fonts}>
              Generate Final Video
            </Button>
          </div>
        )}
      </form>
    </ScreenLayout>
  );
}
