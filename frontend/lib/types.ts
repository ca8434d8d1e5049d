// Names for the gateway's schemas. Every shape comes from lib/api-schema.d.ts, which openapi-typescript
// generates from the gateway's OpenAPI document (`npm run gen:api`); nothing here is written by hand.
import type { components } from "./api-schema";

type Schemas = components["schemas"];

export type Session = Schemas["SessionResponse"];
export type Engines = Schemas["Engines"];
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
/** The image-to-video model of a session's clips ("" = the video agent's default). */
export type VideoModel = NonNullable<Schemas["GenerateClipsRequest"]["video_model"]>;

// The creative loop (issue 13).
export type Shot = Schemas["Shot"];
export type ShotEdit = Schemas["ShotEdit"];
export type CameraMovement = NonNullable<ShotEdit["camera_movement"]>;
export type Storyboard = Schemas["Storyboard"];
/** One render of the finishing form: its settings and every file it made. */
export type FinalVersion = Schemas["FinalVersion"];
/** The finishing form as saved on the server (compose-final-video minus session_id, all optional). */
export type CompositionDraft = Schemas["CompositionDraft"];
