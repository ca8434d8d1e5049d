import { useEffect, useState } from "react";

import { type Api, call } from "@/lib/api";
import type { Engines } from "@/lib/types";

/** Which engine each agent runs, and what the online ones offer to choose (GET /api/engines).
 * Null while loading and when the answer cannot be had: then no choice is offered that does nothing. */
export function useEngines(api: Api): Engines | null {
  const [engines, setEngines] = useState<Engines | null>(null);
  useEffect(() => {
    call(api.GET("/api/engines")).then(setEngines, () => setEngines(null));
  }, [api]);
  return engines;
}

/** Whether `agent` runs the online engine: its model choices mean something only then. */
export function runsOnline(engines: Engines | null, agent: "video_gen" | "compositor"): boolean {
  return engines?.agents.some((a) => a.agent === agent && a.engine === "replicate") ?? false;
}
