import type { Session } from "./types";

/** The six screens of a session (login is the seventh), in journey order. */
export const SCREENS = [
  { key: "images", label: "Images", path: "images" },
  { key: "image-board", label: "Mood board", path: "images/board" },
  { key: "clips", label: "Clips", path: "clips" },
  { key: "clip-board", label: "Clip board", path: "clips/board" },
  { key: "finish", label: "Finishing", path: "finish" },
  { key: "result", label: "Your ad", path: "result" },
] as const;

export type ScreenKey = (typeof SCREENS)[number]["key"];

export function screenPath(sessionId: string, key: ScreenKey): string {
  const screen = SCREENS.find((s) => s.key === key)!;
  return `/sessions/${sessionId}/${screen.path}`;
}

/** The stage the session is really in: a failed session counts as the stage it failed in. */
export function effectiveStage(session: Session): string {
  return session.stage === "failed" ? (session.failed_stage ?? "created") : session.stage;
}

/** Where a session belongs when nothing else is known (after login, from "My sessions"). */
export function homeScreen(session: Session): ScreenKey {
  switch (effectiveStage(session)) {
    case "created":
    case "image_generation":
      return "images";
    case "image_selection":
      return session.approved_images.length >= 2 ? "image-board" : "images";
    case "clip_generation":
      return "clips";
    case "clip_selection":
      return session.clip_order.length > 0 ? "clip-board" : "clips";
    case "final_composition":
      return "finish";
    case "complete":
      return "result";
    default:
      return "images";
  }
}

/** Whether a screen can show this session; a refresh on any valid screen stays there. */
export function screenFits(key: ScreenKey, session: Session): boolean {
  const stage = effectiveStage(session);
  switch (key) {
    case "images":
      return ["created", "image_generation", "image_selection"].includes(stage);
    case "image-board":
      return stage === "image_selection" && session.approved_images.length >= 2;
    case "clips":
      return (
        (stage === "image_selection" && session.approved_images.length >= 2) ||
        stage === "clip_generation" ||
        stage === "clip_selection"
      );
    case "clip-board":
      return stage === "clip_selection" && session.clip_order.length > 0;
    case "finish":
      return (stage === "clip_selection" && session.clip_order.length > 0) || stage === "final_composition";
    case "result":
      return stage === "complete";
  }
}

/** How far along the journey a session is (for the stepper: earlier steps are done). */
export function reachedIndex(session: Session): number {
  return SCREENS.findIndex((s) => s.key === homeScreen(session));
}
