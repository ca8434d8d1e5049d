"use client";

import { FinishScreen } from "@/components/composition/FinishScreen";
import { ScreenGate } from "@/components/session/ScreenGate";

export default function FinishPage() {
  return <ScreenGate screen="finish">{(session) => <FinishScreen session={session} />}</ScreenGate>;
}
