"use client";

import { ScreenGate } from "@/components/session/ScreenGate";
import { ImagesScreen } from "@/components/generation/ImagesScreen";

export default function ImagesPage() {
  return <ScreenGate screen="images">{(session) => <ImagesScreen session={session} />}</ScreenGate>;
}
