// The creative loop's session fields and routes (issue 13): regenerate an image or a clip, the
// storyboard, the finishing draft and the list of final versions.

import { type Api, call } from "./api";
import type { CameraMovement, CompositionDraft, FinalVersion, Session, Shot, Storyboard } from "./types";

export function storyboardOf(session: Session): Storyboard | null {
  return session.storyboard ?? null;
}

export function draftOf(session: Session): CompositionDraft | null {
  return session.composition_draft ?? null;
}

/** Every final version, newest first; a session from before versions shows its one final as one. */
export function finalsOf(session: Session): FinalVersion[] {
  if (session.finals?.length) return session.finals;
  if (!session.final_video) return [];
  return [
    {
      id: "latest",
      created_at: session.updated_at,
      settings: {},
      videos: session.final_videos.length ? session.final_videos : [session.final_video],
      stale: false,
    },
  ];
}

interface VersionSettings {
  productName?: string;
  cta?: string;
  font?: string;
  color?: string;
  music?: { enabled?: boolean; genre?: string; model?: string; source?: string; upload_id?: string | null };
}

/** What a version was rendered with, whether recorded as the compose request or as the render plan. */
export function versionSettings(version: FinalVersion): VersionSettings {
  const s = version.settings as Record<string, Record<string, unknown> | undefined>;
  const overlay = (s.text_overlay ?? s.overlay ?? {}) as Record<string, string | undefined>;
  const music = (s.audio ?? s.music) as VersionSettings["music"] | undefined;
  return { productName: overlay.product_name, cta: overlay.cta, font: overlay.font, color: overlay.color, music };
}

/** The finishing form a version was rendered with: where "Edit and render again" starts without a draft. */
export function draftFromVersion(version: FinalVersion): CompositionDraft {
  const used = versionSettings(version);
  const s = version.settings as Record<string, unknown>;
  const seconds = (a: string, b: string) => {
    const v = s[a] ?? s[b];
    return typeof v === "number" ? v : undefined;
  };
  const overlay = Object.fromEntries(
    Object.entries({ product_name: used.productName, cta: used.cta, font: used.font, color: used.color }).filter(
      (e): e is [string, string] => typeof e[1] === "string",
    ),
  );
  const genre = used.music?.genre;
  const model = used.music?.model;
  return {
    text_overlay: overlay,
    audio:
      used.music && (genre === "upbeat" || genre === "chill" || genre === "energetic" || genre === undefined)
        ? {
            enabled: Boolean(used.music.enabled),
            genre: genre ?? "upbeat",
            model: model === "musicgen" ? model : "stable-audio-2.5",
            // The uploaded track it played, if it played one.
            source: used.music.source === "upload" ? "upload" : "generated",
            upload_id: used.music.upload_id ?? null,
          }
        : undefined,
    intro_duration: seconds("intro_duration", "intro_s"),
    outro_duration: seconds("outro_duration", "outro_s"),
    transition_duration: seconds("transition_duration", "transition_s"),
  };
}

/** A shot's edit as the API takes it: the shot's id and what may change (never its image). */
function shotEdit({ shot_id, scene_prompt, camera_movement, motion_intensity, duration }: Shot) {
  return { shot_id, scene_prompt, camera_movement: camera_movement as CameraMovement, motion_intensity, duration };
}

export interface ClipChange {
  scene_prompt?: string;
  camera_movement?: string;
  motion_intensity?: number;
  duration?: number;
}

/** The loop's routes for one session. */
export function loopApi(api: Api, sessionId: string) {
  const session = { session_id: sessionId };
  return {
    regenerateImage: (imageId: string, body: { prompt?: string; seed?: number }) =>
      call(
        api.POST("/api/sessions/{session_id}/images/{image_id}/regenerate", {
          params: { path: { ...session, image_id: imageId } },
          body,
        }),
      ),
    planStoryboard: (body: { video_prompt: string; clip_duration: number }) =>
      call(api.POST("/api/sessions/{session_id}/storyboard", { params: { path: session }, body })),
    saveStoryboard: (shots: Shot[]) =>
      call(
        api.PUT("/api/sessions/{session_id}/storyboard", {
          params: { path: session },
          body: { shots: shots.map(shotEdit) },
        }),
      ),
    regenerateClip: (clipId: string, change: ClipChange) =>
      call(
        api.POST("/api/sessions/{session_id}/clips/{clip_id}/regenerate", {
          params: { path: { ...session, clip_id: clipId } },
          body: { ...change, camera_movement: change.camera_movement as CameraMovement | undefined },
        }),
      ),
    saveComposition: (draft: CompositionDraft) =>
      call(api.PUT("/api/sessions/{session_id}/composition", { params: { path: session }, body: draft })),
  };
}

const MOVES: CameraMovement[] = ["static", "zoom_in", "zoom_out", "pan_left", "pan_right", "tilt_up", "tilt_down", "tracking", "orbit"];

/** The camera moves a shot offers: the API's name ("zoom_in") and its label ("Zoom in"). */
export const CAMERA_MOVEMENTS: { value: string; label: string }[] = MOVES.map((value) => ({
  value,
  label: value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " "),
}));
