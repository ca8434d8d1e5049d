"use client";

import clsx from "clsx";
import { useEffect, useState } from "react";

import { buildTimeline } from "@/components/composition/timeline";
import { type VariantDraft, VariantsEditor, variantsBody } from "@/components/composition/VariantsEditor";
import { ProgressPanel } from "@/components/generation/ProgressPanel";
import { StageFailure } from "@/components/generation/StageFailure";
import { ScreenLayout } from "@/components/session/ScreenLayout";
import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { CharCounter, FieldLabel, inputClass } from "@/components/ui/Field";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { call } from "@/lib/api";
import { absoluteUrl, useConfig } from "@/lib/config";
import { describeProblem } from "@/lib/errors";
import { timestamp } from "@/lib/format";
import type { Font, Genre, OutputFormat, Session } from "@/lib/types";

const COLOURS = ["#FFFFFF", "#111827", "#F9D648", "#FF5A7A", "#38BDF8", "#34D399"];
const GENRES: Genre[] = ["upbeat", "chill", "energetic"];
const FORMATS: { value: OutputFormat; label: string; size: string }[] = [
  { value: "16:9", label: "Landscape 16:9", size: "1920×1080" },
  { value: "9:16", label: "Vertical 9:16", size: "1080×1920" },
  { value: "1:1", label: "Square 1:1", size: "1080×1080" },
];
const INTRO_S = 1;
const OUTRO_S = 1;
const TRANSITION_S = 0.3;

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

/** Screen 6: text overlay, music, output format, the sequence preview, then the final render. */
export function FinishScreen({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const { apiUrl } = useConfig();
  const [productName, setProductName] = useState("");
  const [cta, setCta] = useState("Shop Now");
  const [colour, setColour] = useState("#FFFFFF");
  const [fonts, setFonts] = useState<Font[] | null>(null);
  const [font, setFont] = useState("");
  const [fontError, setFontError] = useState<unknown>(null);
  const [music, setMusic] = useState(true);
  const [genre, setGenre] = useState<Genre>("upbeat");
  const [format, setFormat] = useState<OutputFormat>("16:9");
  const [variants, setVariants] = useState<VariantDraft[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const composing = session.stage === "final_composition";
  const editable = session.stage === "clip_selection";

  async function loadFonts() {
    setFontError(null);
    try {
      const reply = await call(api.GET("/api/fonts"));
      setFonts(reply.fonts);
      setFont((current) => current || reply.default || reply.fonts[0]?.id || "");
    } catch (err) {
      setFontError(err);
    }
  }
  useEffect(() => {
    void loadFonts();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per screen
  }, []);

  const timeline = buildTimeline(session, INTRO_S, OUTRO_S, TRANSITION_S);
  const total = timeline.length ? timeline[timeline.length - 1].end : 0;
  const fontName = fonts?.find((f) => f.id === font)?.name ?? font;

  async function compose(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(
        api.POST("/api/compose-final-video", {
          body: {
            session_id: session.id,
            text_overlay: { product_name: productName.trim(), cta: cta.trim(), font: font || "default", color: colour.toUpperCase() },
            audio: { enabled: music, genre },
            intro_duration: INTRO_S,
            outro_duration: OUTRO_S,
            transition_duration: TRANSITION_S,
            formats: [format],
            variants: variantsBody(variants),
          },
        }),
      );
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <ScreenLayout screen="finish" session={session} title="Step 3: Add Finishing Touches" subtitle="Name the product, add a call to action and music, then render the ad.">
      <form onSubmit={compose} className="space-y-6">
        <Card>
          <CardHeader title="Text overlay" description="Shown on the intro and outro cards." />
          <div className="grid gap-5 p-6 sm:grid-cols-2">
            <div>
              <FieldLabel htmlFor="product_name" aside={<CharCounter value={productName} max={50} />}>
                Product name
              </FieldLabel>
              <input
                id="product_name"
                name="product_name"
                className={inputClass}
                placeholder="AirRun Pro"
                maxLength={50}
                value={productName}
                onChange={(e) => setProductName(e.target.value)}
                disabled={!editable}
                required
              />
            </div>
            <div>
              <FieldLabel htmlFor="cta" aside={<CharCounter value={cta} max={30} />}>
                Call to action
              </FieldLabel>
              <input
                id="cta"
                name="cta"
                className={inputClass}
                placeholder="Shop Now"
                maxLength={30}
                value={cta}
                onChange={(e) => setCta(e.target.value)}
                disabled={!editable}
                required
              />
            </div>
            <div>
              <FieldLabel htmlFor="color">Text colour</FieldLabel>
              <div className="flex items-center gap-3">
                <input
                  id="color"
                  name="color"
                  type="color"
                  className="h-10 w-14 cursor-pointer rounded-lg border border-slate-300 bg-white p-1"
                  value={colour.toLowerCase()}
                  onChange={(e) => setColour(e.target.value.toUpperCase())}
                  disabled={!editable}
                />
                <div className="flex gap-1.5" role="group" aria-label="Colour presets">
                  {COLOURS.map((c) => (
                    <button
                      key={c}
                      type="button"
                      disabled={!editable}
                      onClick={() => setColour(c)}
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
            </div>
            <div>
              <FieldLabel htmlFor="font">Font</FieldLabel>
              {fontError !== null ? (
                <ProblemNotice problem={describeProblem(fontError)} onRetry={() => void loadFonts()} />
              ) : (
                <select id="font" name="font" className={inputClass} value={font} onChange={(e) => setFont(e.target.value)} disabled={!editable || !fonts}>
                  {!fonts && <option>Loading fonts…</option>}
                  {fonts?.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              )}
            </div>
          </div>
        </Card>

        <Card>
          <CardHeader title="Audio" description="Music is synthesised for your ad and loudness-normalised." />
          <div className="space-y-4 p-6">
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
                onChange={(e) => setMusic(e.target.checked)}
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
              <fieldset>
                <legend className="mb-2 text-sm font-medium text-slate-800">Genre</legend>
                <div className="grid grid-cols-3 gap-3">
                  {GENRES.map((g) => (
                    <RadioCard key={g} name="genre" value={g} checked={genre === g} onChange={() => setGenre(g)} disabled={!editable}>
                      <span className="font-medium capitalize text-slate-900">{g}</span>
                    </RadioCard>
                  ))}
                </div>
              </fieldset>
            )}
          </div>
        </Card>

        <Card>
          <CardHeader title="Output format" />
          <fieldset className="grid gap-3 p-6 sm:grid-cols-3">
            <legend className="sr-only">Output format</legend>
            {FORMATS.map((f) => (
              <RadioCard key={f.value} name="format" value={f.value} checked={format === f.value} onChange={() => setFormat(f.value)} disabled={!editable}>
                <span className="block font-medium text-slate-900">{f.label}</span>
                <span className="block text-xs text-slate-500">{f.size} · MP4, 30 fps</span>
              </RadioCard>
            ))}
          </fieldset>
        </Card>

        <VariantsEditor main={format} drafts={variants} onChange={setVariants} fonts={fonts} disabled={!editable} />

        <Card>
          <CardHeader title="Sequence preview" description={`Total duration: ${total.toFixed(1)} seconds`} />
          <ol className="sequence-preview flex gap-3 overflow-x-auto p-6" aria-label="Sequence with timestamps">
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

        {error !== null && <ProblemNotice problem={describeProblem(error)} onDismiss={() => setError(null)} />}
        <StageFailure session={session} />
        {composing && <ProgressPanel session={session} title="Rendering your ad" />}
        {editable && (
          <div className="flex justify-end">
            <Button type="submit" size="lg" loading={busy} disabled={!productName.trim() || !cta.trim() || !fonts}>
              Generate Final Video
            </Button>
          </div>
        )}
      </form>
    </ScreenLayout>
  );
}
