"use client";

import { Badge } from "@/components/ui/Badge";
import { Card, CardHeader } from "@/components/ui/Card";
import { FieldLabel, inputClass, SelectField } from "@/components/ui/Field";
import { absoluteUrl, useConfig } from "@/lib/config";
import { money, titleCase } from "@/lib/format";
import { CAMERA_MOVEMENTS } from "@/lib/loop";
import type { Session, Shot, Storyboard, VideoModel } from "@/lib/types";

export const SHOT_DURATIONS = [2, 2.5, 3, 3.5, 4];

/** One shot's controls: scene text, camera movement, motion intensity and length. */
export function ShotFields({
  shot,
  label,
  idPrefix,
  disabled,
  onChange,
}: {
  shot: Pick<Shot, "scene_prompt" | "camera_movement" | "motion_intensity" | "duration">;
  label: string;
  idPrefix: string;
  disabled: boolean;
  onChange: (change: Partial<Shot>) => void;
}) {
  const movements = CAMERA_MOVEMENTS.some((m) => m.value === shot.camera_movement)
    ? CAMERA_MOVEMENTS
    : [...CAMERA_MOVEMENTS, { value: shot.camera_movement, label: titleCase(shot.camera_movement) }];
  const durations = Array.from(new Set([...SHOT_DURATIONS, shot.duration])).sort((a, b) => a - b);
  // What each control shares: an id from `idPrefix`, a name from the shot's `label`, and `disabled`.
  const control = (part: string, name: string) => ({ id: `${idPrefix}-${part}`, "aria-label": `${label} ${name}`, disabled });
  return (
    <div className="grid min-w-0 gap-3">
      <div>
        <FieldLabel htmlFor={`${idPrefix}-scene`}>Scene</FieldLabel>
        <textarea
          {...control("scene", "scene")}
          rows={2}
          maxLength={300}
          className={`${inputClass} resize-none text-sm`}
          value={shot.scene_prompt}
          onChange={(e) => onChange({ scene_prompt: e.target.value })}
        />
      </div>
      <div className="grid gap-3 min-[480px]:grid-cols-3">
        <SelectField {...control("camera", "camera movement")} label="Camera" className="min-w-0" value={shot.camera_movement} onChange={(e) => onChange({ camera_movement: e.target.value })} options={movements} />
        <div className="min-w-0">
          <FieldLabel htmlFor={`${idPrefix}-motion`} aside={<output>{Math.round(shot.motion_intensity * 100)}%</output>}>
            Motion
          </FieldLabel>
          <input
            {...control("motion", "motion intensity")}
            type="range"
            min={0}
            max={1}
            step={0.05}
            className="mt-2 w-full accent-brand-600"
            value={shot.motion_intensity}
            onChange={(e) => onChange({ motion_intensity: Number(e.target.value) })}
          />
        </div>
        <SelectField {...control("duration", "duration")} label="Length" className="min-w-0" value={shot.duration} onChange={(e) => onChange({ duration: Number(e.target.value) })} options={durations.map((d) => ({ value: d, label: `${d} s` }))} />
      </div>
    </div>
  );
}

/** The plan before any clip is bought: one shot per kept image, editable, with the stage's price. */
export function StoryboardEditor({
  session,
  storyboard,
  videoModel = "",
  shots,
  disabled,
  saving,
  onChange,
}: {
  session: Session;
  storyboard: Storyboard;
  /** The model picked for the clips (online); the quote follows it before the session saves it. */
  videoModel?: VideoModel;
  shots: Shot[];
  disabled: boolean;
  saving: "saving" | "saved" | "unsaved" | null;
  onChange: (shots: Shot[]) => void;
}) {
  const { apiUrl } = useConfig();
  const total = shots.reduce((s, shot) => s + shot.duration, 0);
  const quote = storyboard.model_quotes_usd?.[videoModel] ?? storyboard.quote_usd;
  return (
    <Card className="storyboard">
      <CardHeader
        title="Storyboard"
        description="One shot per kept image. Change any of them before paying for the clips."
        action={
          <div className="text-right">
            <p className="storyboard-quote whitespace-nowrap text-lg font-semibold tabular-nums text-slate-900">
              {quote > 0 && quote < 0.01 ? "Under $0.01" : quote > 0 ? `About ${money(quote)}` : money(0)}
            </p>
            <p className="text-xs text-slate-500">{total.toFixed(1)} s of clips</p>
          </div>
        }
      />
      <ol className="divide-y divide-slate-100" aria-label="Shots">
        {shots.map((shot, i) => {
          const image = session.generated_images.find((img) => img.id === shot.source_image_id);
          const label = `Shot ${i + 1}`;
          return (
            <li key={shot.shot_id} className="storyboard-shot grid gap-4 p-4 sm:grid-cols-[7rem_minmax(0,1fr)] sm:p-6" data-shot-id={shot.shot_id}>
              <div className="flex items-center gap-3 sm:block">
                {image ? (
                  // eslint-disable-next-line @next/next/no-img-element -- signed gateway URLs
                  <img
                    src={absoluteUrl(apiUrl, image.url)}
                    alt={`${label}: ${image.view_type} view`}
                    className="h-20 w-20 rounded-lg object-cover ring-1 ring-slate-200 sm:h-28 sm:w-28"
                  />
                ) : (
                  <div className="h-20 w-20 rounded-lg bg-slate-100 sm:h-28 sm:w-28" aria-hidden="true" />
                )}
                <Badge className="sm:mt-2">{label}</Badge>
              </div>
              <ShotFields
                shot={shot}
                label={label}
                idPrefix={`shot-${shot.shot_id}`}
                disabled={disabled}
                onChange={(change) => onChange(shots.map((s) => (s.shot_id === shot.shot_id ? { ...s, ...change } : s)))}
              />
            </li>
          );
        })}
      </ol>
      <p className="storyboard-state border-t border-slate-100 px-6 py-3 text-xs text-slate-500" role="status" aria-live="polite">
        {saving === "saving" ? "Saving the plan…" : saving === "saved" ? "Plan saved" : saving === "unsaved" ? "Not saved yet" : "Saved"}
      </p>
    </Card>
  );
}
