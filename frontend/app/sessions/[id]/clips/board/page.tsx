"use client";

import { ClipBoard } from "@/components/generation/ClipBoard";
import { ScreenGate } from "@/components/session/ScreenGate";

export default function ClipBoardPage() {
  return <ScreenGate screen="clip-board">{(session) => <ClipBoard session={session} />}</ScreenGate>;
}
