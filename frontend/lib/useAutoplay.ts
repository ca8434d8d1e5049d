import { type RefObject, useEffect } from "react";

/** Play `url` with sound when the browser allows it (the user just clicked), muted otherwise. */
export function useAutoplay(video: RefObject<HTMLVideoElement>, url: string | null) {
  useEffect(() => {
    const v = video.current;
    if (!v || !url) return;
    v.muted = false;
    v.play().catch(() => {
      v.muted = true;
      void v.play().catch(() => undefined);
    });
  }, [video, url]);
}
