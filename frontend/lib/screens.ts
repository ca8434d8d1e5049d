import { finalsOf } from "./loop";
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

const RUNNING_SCREEN: Record<string, ScreenKey> = {
  image_generation: "images",
  clip_generation: "clips",
  final_composition: "finish",
};

/** The stage that is running right now (no step can start until it ends), or null when idle. */
export function runningStage(session: Session): string | null {
  return session.stage in RUNNING_SCREEN ? session.stage : null;
}

/** What the session's data can show: a screen fits once what it displays exists. */
export function screenFits(key: ScreenKey, session: Session): boolean {
  const boardReady = session.approved_images.length >= 2;
  const clipsReady = session.clip_order.length > 0;
  switch (key) {
    case "images":
      return true;
    case "image-board":
      return boardReady;
    case "clips":
      return boardReady || session.generated_clips.length > 0 || session.stage === "clip_generation";
    case "clip-board":
      return clipsReady;
    case "finish":
      return clipsReady || session.stage === "final_composition";
    case "result":
      return finalsOf(session).length > 0;
  }
}

/** Where a session belongs when nothing else is known (after login, from "My sessions"): where the
 * person last acted, or the running stage, falling back to the furthest screen its data can show. */
export function homeScreen(session: Session): ScreenKey {
  const wanted = ((): ScreenKey => {
    const running = runningStage(session);
    if (running) return RUNNING_SCREEN[running];
    switch (effectiveStage(session)) {
      case "image_generation":
        return "images";
      case "image_selection":
        return "image-board";
      case "clip_generation":
        return "clips";
      case "clip_selection":
        return "clip-board";
      case "final_composition":
        return "finish";
      case "complete":
        return "result";
      default:
        return "images";
    }
  })();
  if (screenFits(wanted, session)) return wanted;
  const index = SCREENS.findIndex((s) => s.key === wanted);
  for (let i = index - 1; i >= 0; i--) if (screenFits(SCREENS[i].key, session)) return SCREENS[i].key;
  return "images";
}

/** How far along the journey the data reaches (for the stepper: earlier steps are done). */
export function reachedIndex(session: Session): number {
  let reached = 0;
  SCREENS.forEach((s, i) => {
    if (screenFits(s.key, session)) reached = i;
  });
  return reached;
}

/** "Step 3 of 6", matching the stepper's numbers. */
export function stepLabel(key: ScreenKey): string {
  return `Step ${SCREENS.findIndex((s) => s.key === key) + 1} of ${SCREENS.length}`;
}
