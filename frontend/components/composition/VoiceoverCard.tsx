"use client";

import { useEffect, useState } from "react";

import { Button } from "@/components/ui/Button";
import { Card, CardHeader } from "@/components/ui/Card";
import { inputClass } from "@/components/ui/Field";
import { call } from "@/lib/api";
import type { useSession } from "@/components/session/SessionProvider";
import type { ComposeRequest } from "@/lib/types";

export type CaptionStyle = "none" | "phrase" | "highlight";

type Voice = NonNullable<NonNullable<ComposeRequest["voiceover"]>["voice"]>;
type VoiceOption = { id: string; name: string; online: boolean };

export interface VoiceoverForm {
  voiceover: boolean;
  script: string;
  // null: the compositor's default voice (the first GET /api/voices lists).
  voice: Voice | null;
  speed: number;
  captions: CaptionStyle;
}

export const VOICEOVER_DEFAULTS: VoiceoverForm = { voiceover: false, script: "", voice: null, speed: 1, captions: "none" };

/** Voiceover (a script suggested to fit the ad, editable) and word-timed captions. */
export function VoiceoverCard({
  api,
  sessionId,
  productName,
  cta,
  form,
  onChange,
  disabled,
}: {
  api: ReturnType<typeof useSession>["api"];
  sessionId: string;
  productName: string;
  cta: string;
  form: VoiceoverForm;
  onChange: (change: Partial<VoiceoverForm>) => void;
  disabled: boolean;
}) {
  const [suggesting, setSuggesting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // The voices of the compositor's engine, from the compositor itself (null while loading).
  const [voices, setVoices] = useState<VoiceOption[] | null>(null);

  useEffect(() => {
    call(api.GET("/api/voices")).then(
      (reply) => setVoices(reply.voices),
      () => setVoices([]),
    );
  }, [api]);
  // A saved voice this engine does not speak (the draft was made on another) gives way to the default.
  const known = voices?.some((v) => v.id === form.voice) ?? false;
  useEffect(() => {
    if (voices?.length && form.voice && !known) onChange({ voice: null });
  }, [voices, form.voice, known, onChange]);
  const chosen = (known ? form.voice : voices?.[0]?.id) ?? "";

  async function suggest() {
    setSuggesting(true);
    setProblem(null);
    try {
      const body = { product_name: productName.trim() || null, cta: cta.trim() || null };
      const reply = await call(
        api.POST("/api/sessions/{session_id}/voiceover-script", { params: { path: { session_id: sessionId } }, body }),
      );
      onChange({ script: reply.script });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : "Could not suggest a script");
    } finally {
      setSuggesting(false);
    }
  }

  function toggle(on: boolean) {
    onChange({ voiceover: on, captions: on ? form.captions : "none" });
    if (on && !form.script) void suggest();
  }

  return (
    <Card>
      <CardHeader
        title="Voiceover and captions"
        description="A neural voice speaks your script (an online voice, or the offline one); the music ducks under it."
      />
      <div className="space-y-4 p-4 sm:p-6">
        <label className="flex items-center gap-3 text-sm font-medium text-slate-800">
          <input type="checkbox" name="voiceover" checked={form.voiceover} onChange={(e) => toggle(e.target.checked)} disabled={disabled} />
          Add a voiceover
        </label>
        {form.voiceover && (
          <>
            <div>
              <label htmlFor="voiceover-script" className="mb-1 block text-sm font-medium text-slate-800">
                Script <span className="text-xs text-slate-500">(about 2.5 words a second)</span>
              </label>
              <textarea
                id="voiceover-script"
                name="voiceover-script"
                rows={3}
                maxLength={600}
                className={inputClass}
                value={form.script}
                onChange={(e) => onChange({ script: e.target.value })}
                disabled={disabled || suggesting}
              />
              <div className="mt-1 flex items-center justify-between text-xs text-slate-500">
                <span>{form.script.split(/\s+/).filter(Boolean).length} words</span>
                <Button type="button" variant="secondary" onClick={() => void suggest()} disabled={disabled || suggesting}>
                  {suggesting ? "Writing..." : "Suggest a script"}
                </Button>
              </div>
              {problem && <p className="mt-1 text-sm text-rose-700" role="alert">{problem}</p>}
            </div>
            <div className="grid gap-3 sm:grid-cols-2">
              <label className="text-sm text-slate-800">
                Voice
                <select
                  name="voice"
                  className={inputClass}
                  value={chosen}
                  onChange={(e) => onChange({ voice: e.target.value as Voice })}
                  disabled={disabled || !voices?.length}
                >
                  {!voices?.length && <option value="">{voices ? "The default voice" : "Loading voices..."}</option>}
                  {voices?.map((v) => (
                    <option key={v.id} value={v.id}>
                      {v.name}
                      {v.online ? "" : " (free)"}
                    </option>
                  ))}
                </select>
              </label>
              <label className="text-sm text-slate-800">
                Speed {form.speed.toFixed(2)}x
                <input
                  type="range"
                  name="voice-speed"
                  min={0.7}
                  max={1.5}
                  step={0.05}
                  value={form.speed}
                  onChange={(e) => onChange({ speed: Number(e.target.value) })}
                  disabled={disabled}
                  className="w-full"
                />
              </label>
            </div>
          </>
        )}
        <fieldset disabled={disabled || !form.voiceover}>
          <legend className="mb-2 text-sm font-medium text-slate-800">Captions</legend>
          <div className="flex gap-4 text-sm">
            {(["none", "phrase", "highlight"] as const).map((style) => (
              <label key={style} className="flex items-center gap-2 capitalize">
                <input type="radio" name="captions" value={style} checked={form.captions === style} onChange={() => onChange({ captions: style })} />
                {style === "highlight" ? "Highlight the spoken word" : style}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
    </Card>
  );
}
