"use client";

import { ImageBoard } from "@/components/generation/ImageBoard";
import { ScreenGate } from "@/components/session/ScreenGate";

export default function ImageBoardPage() {
  return <ScreenGate screen="image-board">{(session) => <ImageBoard session={session} />}</ScreenGate>;
}
