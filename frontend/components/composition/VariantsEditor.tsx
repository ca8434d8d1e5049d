"use client";

import { Button } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { inputClass } from "@/components/ui/Field";
import type { ComposeRequest, Font, Genre, OutputFormat } from "@/lib/types";

/** One extra final of the same compose call: another format and optionally another CTA, font or music. */
export type VariantDraft = {
  key: number;
  format: OutputFormat;
  cta: string;
  font: string; // "" = the main font
  music: "same" | "none" | Genre;
};

type VariantBody = NonNullable<ComposeRequest["variants"]>[number];

// The gateway makes at most 6 finals per compose: the main one plus 5 variants.
export const MAX_VARIANTS = 5;
const FORMATS: OutputFormat[] = ["16:9", "9:16", "1:1"];
const GENRES: Genre[] = ["upbeat", "chill", "energetic"];
let nextKey = 1;

export function newVariant(format: OutputFormat): VariantDraft {
  return { key: nextKey++, format, cta: "", font: "", music: "same" };
}

type MusicModel = NonNullable<NonNullable<VariantBody["audio"]>["model"]>;

/** The request's `variants`: only what differs from the main final is sent (a variant's own music is
 * made by the main final's music model). */
export function variantsBody(drafts: VariantDraft[], musicModel: MusicModel): VariantBody[] {
  return drafts.map((d) => {
    const overlay: NonNullable<VariantBody["text_overlay"]> = {};
    if (d.cta.trim()) overlay.cta = d.cta.trim();
    if (d.font) overlay.font = d.font;
    const body: VariantBody = { format: d.format };
    if (Object.keys(overlay).length) body.text_overlay = overlay;
    if (d.music === "none") body.audio = { enabled: false, genre: "upbeat", model: musicModel, source: "generated" };
    else if (d.music !== "same") body.audio = { enabled: true, genre: d.music, model: musicModel, source: "generated" };
    return body;
  });
}

/** Back from a saved draft's `variants` to the editor's rows. */
export function variantsFromBody(body: VariantBody[] | null | undefined): VariantDraft[] {
  return (body ?? []).map((v) => ({
    key: nextKey++,
    format: v.format ?? "16:9",
    cta: v.text_overlay?.cta ?? "",
    font: v.text_overlay?.font ?? "",
    music: !v.audio ? "same" : v.audio.enabled ? (v.audio.genre ?? "upbeat") : "none",
  }));
}

/** The finishing screen's "Variants" card: quick "also make 9:16 / 1:1" toggles and custom variants. */
export function VariantsEditor({
  main,
  drafts,
  onChange,
  fonts,
  disabled,
}: {
  main: OutputFormat;
  drafts: VariantDraft[];
  onChange: (drafts: VariantDraft[]) => void;
  fonts: Font[] | null;
  disabled: boolean;
}) {
  const full = drafts.length >= MAX_VARIANTS;
  const plain = (d: VariantDraft) => !d.cta.trim() && !d.font && d.music === "same";
  const update = (key: number, change: Partial<VariantDraft>) =>
    onChange(drafts.map((d) => (d.key === key ? { ...d, ...change } : d)));

  function toggleFormat(format: OutputFormat) {
    const existing = drafts.find((d) => d.format === format && plain(d));
    onChange(existing ? drafts.filter((d) => d !== existing) : [...drafts, newVariant(format)]);
  }

  return (
    <Card className="variants">
      <CardHeader
        title="Variants"
        description="More finals from the same clips in the same render: other formats, another call to action, font or music."
      />
      <div className="space-y-4 p-6">
        <div className="flex flex-wrap gap-2" role="group" aria-label="Also make">
          {FORMATS.filter((f) => f !== main).map((f) => {
            const on = drafts.some((d) => d.format === f && plain(d));
            return (
              <Button
                key={f}
                type="button"
                size="sm"
                variant={on ? "primary" : "secondary"}
                aria-pressed={on}
                disabled={disabled || (!on && full)}
                onClick={() => toggleFormat(f)}
              >
                Also make {f}
              </Button>
            );
          })}
          <Button type="button" size="sm" variant="ghost" disabled={disabled || full} onClick={() => onChange([...drafts, newVariant(main)])}>
            + Custom variant
          </Button>
        </div>
        {drafts.length > 0 && (
          <ol className="space-y-3" aria-label="Variants to make">
            {drafts.map((d, i) => (
              <li key={d.key} className="variant-row grid gap-3 rounded-xl p-3 ring-1 ring-inset ring-slate-200 sm:grid-cols-[7rem_1fr_10rem_9rem_auto] sm:items-center">
                <select aria-label={`Variant ${i + 1} format`} className={inputClass} value={d.format} disabled={disabled} onChange={(e) => update(d.key, { format: e.target.value as OutputFormat })}>
                  {FORMATS.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </select>
                <input
                  aria-label={`Variant ${i + 1} call to action`}
                  className={inputClass}
                  placeholder="Same call to action"
                  maxLength={30}
                  value={d.cta}
                  disabled={disabled}
                  onChange={(e) => update(d.key, { cta: e.target.value })}
                />
                <select aria-label={`Variant ${i + 1} font`} className={inputClass} value={d.font} disabled={disabled || !fonts} onChange={(e) => update(d.key, { font: e.target.value })}>
                  <option value="">Same font</option>
                  {fonts?.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
                <select aria-label={`Variant ${i + 1} music`} className={inputClass} value={d.music} disabled={disabled} onChange={(e) => update(d.key, { music: e.target.value as VariantDraft["music"] })}>
                  <option value="same">Same music</option>
                  <option value="none">No music</option>
                  {GENRES.map((g) => (
                    <option key={g} value={g}>
                      {g[0].toUpperCase() + g.slice(1)} music
                    </option>
                  ))}
                </select>
                <Button type="button" size="sm" variant="ghost" disabled={disabled} onClick={() => onChange(drafts.filter((x) => x.key !== d.key))} aria-label={`Remove variant ${i + 1}`}>
                  Remove
                </Button>
              </li>
            ))}
          </ol>
        )}
      </div>
    </Card>
  );
}
