"use client";

import clsx from "clsx";
import { useEffect, useState } from "react";

import { useSession } from "@/components/session/SessionProvider";
import type { components } from "@/lib/api-schema";
import { call } from "@/lib/api";
import { describeProblem } from "@/lib/errors";
import type { Font } from "@/lib/types";

type Preview = components["schemas"]["FontPreview"];

/**
 * The font picker's preview: the user's own product name in every font, drawn by the compositor
 * exactly as the ad will draw it (shaping, right-to-left scripts, fallback fonts, colour emoji).
 */
export function FontPreviews({
  text,
  colour,
  fonts,
  value,
  onChange,
  disabled,
}: {
  text: string;
  colour: string;
  fonts: Font[];
  value: string;
  onChange: (font: string) => void;
  disabled?: boolean;
}) {
  const { api } = useSession();
  const [previews, setPreviews] = useState<Preview[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const wanted = text.trim();

  useEffect(() => {
    if (!wanted) {
      setPreviews(null);
      setProblem(null);
      return;
    }
    let cancelled = false;
    // One call for every font, after a pause in typing.
    const timer = setTimeout(async () => {
      try {
        const reply = await call(api.POST("/api/fonts/preview", { body: { text: wanted, color: colour.toUpperCase() } }));
        if (!cancelled) {
          setPreviews(reply.previews);
          setProblem(null);
        }
      } catch (err) {
        if (!cancelled) {
          setPreviews(null);
          setProblem(describeProblem(err).detail);
        }
      }
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [wanted, colour, api]);

  if (!wanted) return null;
  if (problem) {
    return (
      <p className="mt-2 text-sm text-red-700" role="status" data-testid="font-preview-problem">
        {problem}
      </p>
    );
  }
  // Light text is previewed on a dark chip and dark text on a light one, as the ad's cards show them.
  const light = isLight(colour);
  const names = new Map(fonts.map((f) => [f.id, f.name]));
  return (
    <div role="radiogroup" aria-label="Font previews with your product name" className="mt-2 grid gap-2" data-testid="font-previews">
      {(previews ?? []).map((p) => {
        const name = names.get(p.font) ?? p.font;
        const checked = p.font === value;
        return (
          <button
            key={p.font}
            type="button"
            role="radio"
            aria-checked={checked}
            disabled={disabled}
            onClick={() => onChange(p.font)}
            className={clsx(
              "flex items-center justify-between gap-3 rounded-lg border px-3 py-2 text-left transition disabled:opacity-60",
              checked ? "border-indigo-600 ring-2 ring-indigo-200" : "border-slate-200 hover:border-slate-400",
              light ? "bg-slate-900" : "bg-slate-50",
            )}
          >
            {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL drawn by the compositor */}
            <img src={p.image} alt={`${name}: ${wanted}`} className="h-9 w-auto max-w-[70%] object-contain object-left" />
            <span className={clsx("shrink-0 text-xs", light ? "text-slate-300" : "text-slate-600")}>
              {name}
              {p.fallback_fonts.length > 0 && <span className="block opacity-80">+ {p.fallback_fonts.join(", ")}</span>}
            </span>
          </button>
        );
      })}
    </div>
  );
}

function isLight(hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5;
}
