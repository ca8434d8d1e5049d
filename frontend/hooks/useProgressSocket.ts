"use client";

import { useEffect, useRef, useState } from "react";

import type { ProgressEvent } from "@/lib/types";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

// Close codes the gateway uses for "bad token" and "no such session": reconnecting cannot help.
const FATAL_CLOSE_CODES = new Set([4401, 4404]);
const MAX_BACKOFF_MS = 10_000;

/**
 * The session's progress events over WS /ws/{id}?token=..., reconnecting with backoff. The gateway
 * sends the latest state first on every (re)connect, so nothing is missed across a drop.
 */
export function useProgressSocket(
  wsUrl: string,
  sessionId: string,
  token: string | null,
  onEvent: (event: ProgressEvent) => void,
): { state: ConnectionState; attempts: number } {
  const [state, setState] = useState<ConnectionState>("connecting");
  const [attempts, setAttempts] = useState(0);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!token) return;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    let failures = 0;
    let lastSeq = 0;

    const connect = () => {
      if (closed) return;
      socket = new WebSocket(`${wsUrl}/ws/${encodeURIComponent(sessionId)}?token=${encodeURIComponent(token)}`);
      socket.onopen = () => {
        failures = 0;
        setAttempts(0);
        setState("live");
      };
      socket.onmessage = (message) => {
        try {
          const event = JSON.parse(String(message.data)) as ProgressEvent;
          if (event.type === "heartbeat") return;
          // A snapshot after a reconnect may repeat what we already have; older events are stale.
          if (event.type !== "snapshot" && event.seq <= lastSeq) return;
          lastSeq = Math.max(lastSeq, event.seq);
          handler.current(event);
        } catch {
          // Not JSON: nothing the app can use.
        }
      };
      socket.onclose = (close) => {
        socket = null;
        if (closed) return;
        if (FATAL_CLOSE_CODES.has(close.code)) {
          setState("offline");
          return;
        }
        failures += 1;
        setAttempts(failures);
        setState("reconnecting");
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures - 1, 5));
        timer = setTimeout(connect, delay);
      };
    };

    // Reconnect at once when the tab comes back online rather than waiting for the backoff.
    const online = () => {
      if (socket === null && !closed) {
        if (timer) clearTimeout(timer);
        connect();
      }
    };
    window.addEventListener("online", online);
    setState("connecting");
    connect();
    return () => {
      closed = true;
      window.removeEventListener("online", online);
      if (timer) clearTimeout(timer);
      socket?.close(1000, "leaving");
    };
  }, [wsUrl, sessionId, token]);

  return { state, attempts };
}
