"use client";

import { ResultScreen } from "@/components/composition/ResultScreen";
import { ScreenGate } from "@/components/session/ScreenGate";

export default function ResultPage() {
  return <ScreenGate screen="result">{(session) => <ResultScreen session={session} />}</ScreenGate>;
}
