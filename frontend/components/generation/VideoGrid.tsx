"use client";

import clsx from "clsx";
import { useRef, useState } from "react";

import type { AssetGridProps } from "@/components/generation/assetGrid";
import { EditorActions, useRegenerateEditor } from "@/components/generation/RegenerateEditor";
import { SelectCheckbox } from "@/components/generation/SelectCheckbox";
import { ShotFields } from "@/components/generation/Storyboard";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { absoluteUrl, useConfig } from "@/lib/config";
import { money, seconds, titleCase } from "@/lib/format";
import type { Shot, VideoAsset } from "@/lib/types";

/** A clip preview with its own play/pause button (muted, looping). */
export function ClipPlayer({ clip, label, className }: { clip: VideoAsset; label: string; className?: string }) {
  const { apiUrl } = useConfig();
  const video = useRef<HTMLVideoElement>(null);
  const [playing, setPlaying] = useState(false);

  function toggle() {
    const v = video.current;
    if (!v) return;
    if (v.paused) void v.play();
    else v.pause();
  }

  return (
    <div className={clsx("relative overflow-hidden bg-slate-900", className)}>
      <video
        ref={video}
        src={absoluteUrl(apiUrl, clip.url)}
        className="h-full w-full object-cover"
        muted
        loop
        playsInline
        preload="metadata"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        aria-label={label}
      />
      <button
        type="button"
        onClick={toggle}
        className={clsx(
          "play-button absolute inset-0 flex items-center justify-center transition focus-visible:outline-none",
          playing ? "opacity-0 hover:opacity-100 focus-visible:opacity-100" : "bg-slate-900/10",
        )}
        aria-label={`${playing ? "Pause" : "Play"} ${label}`}
      >
        <span className="flex h-12 w-12 items-center justify-center rounded-full bg-white/90 text-slate-900 shadow-lg ring-brand-500 [button:focus-visible_&]:ring-4">
          {playing ? (
            <svg viewBox="0 0 24 24" className="h-5 w-5" fill="currentColor" aria-hidden="true">
              <path d="M7 5h3v14H7zM14 5h3v14h-3z" />
            </svg>
          ) : (
            <svg viewBox="0 0 24 24" className="ml-0.5 h-5 w-5" fill="currentColor" aria-hidden="true">
              <path d="M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14Z" />
            </svg>
          )}
        </span>
      </button>
    </div>
  );
}

/** Generated clips: play to preview, tick to keep (the checkbox is reachable with Tab, toggled with Space). */
export function VideoGrid({
  clips,
  selected,
  onToggle,
  onRegenerate,
  disabled = false,
}: AssetGridProps & {
  clips: VideoAsset[];
  /** Render this clip again with its shot edited. */
  onRegenerate?: (id: string, change: Partial<Shot>) => Promise<void>;
}) {
  return (
    <div className="video-grid grid gap-4 sm:grid-cols-2">
      {clips.map((clip, i) => {
        const checked = selected.has(clip.id);
        return (
          <div
            key={clip.id}
            className={clsx(
              "clip-card relative overflow-hidden rounded-xl bg-white ring-offset-2 transition has-[input:focus-visible]:ring-2 has-[input:focus-visible]:ring-brand-500",
              checked ? "ring-4 ring-brand-500" : "ring-1 ring-slate-200",
            )}
            data-selected={checked}
            data-clip-id={clip.id}
          >
            <div className="relative">
            <ClipPlayer clip={clip} label={`clip ${i + 1}`} className="aspect-video" />
            <label className="absolute right-2.5 top-2.5 flex h-8 cursor-pointer items-center gap-2 rounded-md bg-white/90 px-2 text-xs font-medium text-slate-700 shadow-sm">
              <SelectCheckbox checked={checked} disabled={disabled} onToggle={() => onToggle(clip.id)} label={`Select clip ${i + 1}`} />
              Keep
            </label>
            <Badge tone="dark" className="pointer-events-none absolute bottom-2.5 left-2.5">
              {seconds(clip.duration)}
            </Badge>
            <Badge tone="dark" className="pointer-events-none absolute bottom-2.5 right-2.5">
              {money(clip.cost)}
            </Badge>
            </div>
            {onRegenerate && <ClipShot index={i} clip={clip} disabled={disabled} onRegenerate={(change) => onRegenerate(clip.id, change)} />}
          </div>
        );
      })}
    </div>
  );
}

/** A clip's shot in words, marked when its image left the mood board, and "Edit shot" to re-render it. */
function ClipShot({
  index,
  clip,
  disabled,
  onRegenerate,
}: {
  index: number;
  clip: VideoAsset;
  disabled: boolean;
  onRegenerate: (change: Partial<Shot>) => Promise<void>;
}) {
  const loop = clip;
  const current = {
    scene_prompt: loop.scene_prompt ?? "",
    camera_movement: loop.camera_movement || "static",
    motion_intensity: loop.motion_intensity ?? 0.5,
    duration: clip.duration,
  };
  const editor = useRegenerateEditor(current);
  const shot = editor.draft;

  function run() {
    // Only what changed is sent; the rest of the shot stays as it was.
    const change: Partial<Shot> = {};
    if (shot.scene_prompt.trim() !== current.scene_prompt) change.scene_prompt = shot.scene_prompt.trim();
    if (shot.camera_movement !== current.camera_movement) change.camera_movement = shot.camera_movement;
    if (shot.motion_intensity !== current.motion_intensity) change.motion_intensity = shot.motion_intensity;
    if (shot.duration !== current.duration) change.duration = shot.duration;
    return editor.regenerate(() => onRegenerate(change));
  }

  return (
    <div className="clip-shot space-y-2 p-3 text-xs">
      {loop.stale && (
        <Badge tone="amber" className="stale-badge">
          Made from an image you removed
        </Badge>
      )}
      {editor.editing ? (
        <>
          <ShotFields shot={shot} label={`Clip ${index + 1}`} idPrefix={`clip-${clip.id}`} disabled={disabled} onChange={(c) => editor.setDraft((s) => ({ ...s, ...c }))} />
          <EditorActions editor={editor} label="Regenerate clip" disabled={disabled || !shot.scene_prompt.trim()} onRegenerate={() => void run()} />
        </>
      ) : (
        <>
          {current.scene_prompt && <p className="line-clamp-2 break-words text-slate-600">{current.scene_prompt}</p>}
          <p className="text-slate-500">
            {titleCase(current.camera_movement)} · motion {Math.round(current.motion_intensity * 100)}%
          </p>
          <div className="flex flex-wrap gap-2">
            <Button size="sm" variant="secondary" disabled={disabled} onClick={editor.open} aria-label={`Edit the shot of clip ${index + 1}`}>
              Edit shot
            </Button>
            <Button size="sm" variant="ghost" loading={editor.busy} disabled={disabled} onClick={() => void run()} aria-label={`Regenerate clip ${index + 1}`}>
              Regenerate
            </Button>
          </div>
        </>
      )}
    </div>
  );
}
