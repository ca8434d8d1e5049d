import { useEffect, useState } from "react";

import { type Api, call } from "@/lib/api";

/** Whether `agent` runs the online engine (GET /api/engines): model choices mean something only then.
 * False while loading and when the answer cannot be had, so no choice is offered that does nothing. */
export function useOnline(api: Api, agent: "video_gen" | "compositor"): boolean {
  const [online, setOnline] = useState(false);
  useEffect(() => {
    call(api.GET("/api/engines")).then(
      (engines) => setOnline(engines.agents.some((a) => a.agent === agent && a.engine === "replicate")),
      () => setOnline(false),
    );
  }, [api, agent]);
  return online;
}
