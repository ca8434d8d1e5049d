"use client";

import { ClipsScreen } from "@/components/generation/ClipsScreen";
import { ScreenGate } from "@/components/session/ScreenGate";

export default function ClipsPage() {
  return <ScreenGate screen="clips">{(session) => <ClipsScreen session={session} />}</ScreenGate>;
}
