// Names for the gateway's schemas. Every shape comes from lib/api-schema.d.ts, which openapi-typescript
// generates from the gateway's OpenAPI document (`npm run gen:api`); nothing here is written by hand.
import type { components } from "./api-schema";

type Schemas = components["schemas"];

export type Session = Schemas["SessionResponse"];
export type SessionSummary = Schemas["SessionSummary"];
export type SessionStage = Schemas["SessionStage"];
export type ImageAsset = Schemas["ImageAsset"];
export type ViewType = Schemas["ImageViewUpdate"]["view_type"];
export type VideoAsset = Schemas["VideoAsset"];
export type FinalVideo = Schemas["FinalVideo"];
export type Costs = Schemas["CostsResponse"];
export type CostLine = Schemas["CostLine"];
export type Font = Schemas["Font"];
export type ComposeRequest = Schemas["ComposeFinalVideoRequest"];
export type ProgressEvent = Schemas["ProgressEvent"];
export type OutputFormat = ComposeRequest["formats"] extends (infer F)[] | undefined ? F : never;
export type Genre = NonNullable<Schemas["AudioConfig"]["genre"]>;

// ---------------------------------------------------------------- the creative loop (issue 13)
// The contract of the loop's routes and session fields, written out until the gateway's OpenAPI
// document carries them; lib/loop.ts reads the session through these.

export type CameraMovement =
  | "static"
  | "zoom_in"
  | "zoom_out"
  | "pan_left"
  | "pan_right"
  | "tilt_up"
  | "tilt_down"
  | "tracking"
  | "orbit";

export interface Shot {
  shot_id: string;
  source_image_id: string;
  scene_prompt: string;
  camera_movement: CameraMovement | string;
  motion_intensity: number;
  duration: number;
  /** The clip made from this shot, once there is one. */
  clip_id?: string | null;
}

export interface Storyboard {
  video_prompt: string | null;
  clip_duration: number;
  shots: Shot[];
  quote_usd: number;
  estimated_duration: number;
}

/** One render of the finishing form: its settings and every file it made. */
export interface FinalVersion {
  id: string;
  created_at: string;
  /** The render's settings as the gateway recorded them (overlay, music, card lengths, formats). */
  settings: Record<string, unknown>;
  videos: (FinalVideo & { download_url?: string | null })[];
  stale: boolean;
}

/** The finishing form as saved on the server (compose-final-video minus session_id, all optional). */
export type CompositionDraft = Partial<Omit<ComposeRequest, "session_id" | "text_overlay">> & {
  text_overlay?: Partial<ComposeRequest["text_overlay"]>;
};

export type LoopImage = ImageAsset & { prompt?: string | null };
export type LoopClip = VideoAsset & {
  scene_prompt?: string | null;
  camera_movement?: string | null;
  motion_intensity?: number | null;
  stale?: boolean;
};
