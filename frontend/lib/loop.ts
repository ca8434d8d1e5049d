// The creative loop's session fields and routes (issue 13): regenerate an image or a clip, the
// storyboard, the finishing draft and the list of final versions.

import { call } from "./api";
import type {
  CompositionDraft,
  FinalVersion,
  LoopClip,
  LoopImage,
  Session,
  Shot,
  Storyboard,
} from "./types";

type LoopFields = {
  storyboard?: Storyboard | null;
  finals?: FinalVersion[] | null;
  composition_draft?: CompositionDraft | null;
};

function loop(session: Session): LoopFields {
  return session as unknown as LoopFields;
}

export function storyboardOf(session: Session): Storyboard | null {
  return loop(session).storyboard ?? null;
}

export function draftOf(session: Session): CompositionDraft | null {
  return loop(session).composition_draft ?? null;
}

/** Every final version, newest first; a session from before versions shows its one final as one. */
export function finalsOf(session: Session): FinalVersion[] {
  const finals = loop(session).finals;
  if (finals && finals.length) return finals;
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
  music?: { enabled?: boolean; genre?: string };
}

/** What a version was rendered with, whether recorded as the compose request or as the render plan. */
export function versionSettings(version: FinalVersion): VersionSettings {
  const s = version.settings as Record<string, Record<string, unknown> | undefined>;
  const overlay = (s.text_overlay ?? s.overlay ?? {}) as Record<string, string | undefined>;
  const music = (s.audio ?? s.music) as VersionSettings["music"] | undefined;
  return { productName: overlay.product_name, cta: overlay.cta, font: overlay.font, color: overlay.color, music };
}

export function imagePrompt(image: LoopImage): string {
  return image.prompt ?? "";
}

export function asLoopClip(clip: Session["generated_clips"][number]): LoopClip {
  return clip as LoopClip;
}

// ---------------------------------------------------------------- routes

/** A route the typed client may not know yet: same errors as `call`, body as JSON. */
async function send<T>(apiUrl: string, token: string, method: "POST" | "PUT", path: string, body: unknown): Promise<T> {
  return call<T>(
    fetch(`${apiUrl}${path}`, {
      method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body ?? {}),
    }).then(async (response) => {
      const json: unknown = await response.json().catch(() => undefined);
      return response.ok ? { data: json as T, response } : { error: json ?? {}, response };
    }),
  );
}

export interface LoopApi {
  regenerateImage(imageId: string, body: { prompt?: string; seed?: number }): Promise<unknown>;
  planStoryboard(body: { video_prompt: string; clip_duration: number }): Promise<Storyboard>;
  saveStoryboard(shots: Shot[]): Promise<Storyboard>;
  regenerateClip(
    clipId: string,
    body: { scene_prompt?: string; camera_movement?: string; motion_intensity?: number; duration?: number },
  ): Promise<unknown>;
  saveComposition(draft: CompositionDraft): Promise<unknown>;
}

export function loopApi(apiUrl: string, token: string, sessionId: string): LoopApi {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
  return {
    regenerateImage: (imageId, body) =>
      send(apiUrl, token, "POST", `${base}/images/${encodeURIComponent(imageId)}/regenerate`, body),
    planStoryboard: (body) => send(apiUrl, token, "POST", `${base}/storyboard`, body),
    // Edits name the shot and what may change; the image a shot animates is the plan's own.
    saveStoryboard: (shots) =>
      send(apiUrl, token, "PUT", `${base}/storyboard`, {
        shots: shots.map(({ shot_id, scene_prompt, camera_movement, motion_intensity, duration }) => ({
          shot_id,
          scene_prompt,
          camera_movement,
          motion_intensity,
          duration,
        })),
      }),
    regenerateClip: (clipId, body) =>
      send(apiUrl, token, "POST", `${base}/clips/${encodeURIComponent(clipId)}/regenerate`, body),
    saveComposition: (draft) => send(apiUrl, token, "PUT", `${base}/composition`, draft),
  };
}

export const CAMERA_MOVEMENTS: { value: string; label: string }[] = [
  { value: "static", label: "Static" },
  { value: "zoom_in", label: "Zoom in" },
  { value: "zoom_out", label: "Zoom out" },
  { value: "pan_left", label: "Pan left" },
  { value: "pan_right", label: "Pan right" },
  { value: "tilt_up", label: "Tilt up" },
  { value: "tilt_down", label: "Tilt down" },
  { value: "tracking", label: "Tracking" },
  { value: "orbit", label: "Orbit" },
];
