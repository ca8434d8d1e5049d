import clsx from "clsx";

import type { AssetGridProps } from "@/components/generation/assetGrid";
import { EditorActions, useRegenerateEditor } from "@/components/generation/RegenerateEditor";
import { SelectCheckbox } from "@/components/generation/SelectCheckbox";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { inputClass } from "@/components/ui/Field";
import { absoluteUrl, useConfig } from "@/lib/config";
import { money, titleCase } from "@/lib/format";
import type { ImageAsset, ViewType } from "@/lib/types";

const VIEWS: ViewType[] = ["front", "side", "back", "top", "detail", "lifestyle"];

/** Generated images: the whole card toggles its checkbox (click, or Tab + Space from the keyboard). */
export function ImageGrid({
  images,
  selected,
  onToggle,
  onViewChange,
  onRegenerate,
  disabled = false,
}: AssetGridProps & {
  images: ImageAsset[];
  /** Uploaded photos get a view picker (generated images show the view they were rendered as). */
  onViewChange?: (id: string, view: ViewType) => void;
  /** Render this image again: a new seed, or the prompt edited. */
  onRegenerate?: (id: string, prompt?: string) => Promise<void>;
}) {
  const { apiUrl } = useConfig();
  return (
    <div className="image-grid grid grid-cols-1 gap-4 min-[480px]:grid-cols-2 md:grid-cols-3">
      {images.map((image, i) => {
        const checked = selected.has(image.id);
        const name = `${titleCase(image.view_type)} view`;
        return (
          <div
            key={image.id}
            className={clsx(
              "image-card flex flex-col overflow-hidden rounded-xl bg-white ring-offset-2 transition",
              "has-[label_input:focus-visible]:ring-2 has-[label_input:focus-visible]:ring-brand-500",
              checked ? "ring-4 ring-brand-500" : "ring-1 ring-slate-200 hover:ring-2 hover:ring-slate-300",
            )}
            data-selected={checked}
            data-image-id={image.id}
          >
          <label className="group relative block aspect-square cursor-pointer overflow-hidden bg-slate-100">
            {/* eslint-disable-next-line @next/next/no-img-element -- signed gateway URLs, no optimiser */}
            <img
              src={absoluteUrl(apiUrl, image.url)}
              alt={`Product image ${i + 1}: ${name}`}
              className="h-full w-full object-cover transition duration-300 group-hover:scale-[1.02]"
            />
            <span className="absolute right-2.5 top-2.5 flex h-7 w-7 items-center justify-center rounded-md bg-white/90 shadow-sm">
              <SelectCheckbox checked={checked} disabled={disabled} onToggle={() => onToggle(image.id)} label={`Select image ${i + 1} (${name})`} />
            </span>
            {image.source === "upload" && onViewChange ? (
              <span className="absolute bottom-2.5 left-2.5 flex items-center gap-1.5">
                <Badge tone="dark">Your photo</Badge>
                <select
                  className="view-select rounded-md bg-white/90 px-1.5 py-0.5 text-xs text-slate-800 shadow-sm"
                  value={image.view_type}
                  onChange={(e) => onViewChange(image.id, e.target.value as ViewType)}
                  aria-label={`View shown in photo ${i + 1}`}
                >
                  {VIEWS.map((v) => (
                    <option key={v} value={v}>
                      {titleCase(v)}
                    </option>
                  ))}
                </select>
              </span>
            ) : (
              <Badge tone="dark" className="absolute bottom-2.5 left-2.5">
                {image.source === "upload" ? `Your photo · ${titleCase(image.view_type)}` : titleCase(image.view_type)}
              </Badge>
            )}
            <Badge tone="dark" className="absolute bottom-2.5 right-2.5">
              {money(image.cost)}
            </Badge>
          </label>
          {image.source !== "upload" && onRegenerate && (
            <ImagePrompt index={i} image={image} disabled={disabled} onRegenerate={(prompt) => onRegenerate(image.id, prompt)} />
          )}
          </div>
        );
      })}
    </div>
  );
}

/** The prompt an image was rendered from, with "Regenerate" (new seed) and "Edit prompt". */
function ImagePrompt({
  index,
  image,
  disabled,
  onRegenerate,
}: {
  index: number;
  image: ImageAsset;
  disabled: boolean;
  onRegenerate: (prompt?: string) => Promise<void>;
}) {
  const prompt = image.prompt ?? "";
  const editor = useRegenerateEditor(prompt);
  const text = editor.draft;
  const id = `image-prompt-${image.id}`;
  const run = (edited?: string) => editor.regenerate(() => onRegenerate(edited));

  return (
    <div className="image-prompt flex flex-1 flex-col gap-2 p-3">
      {editor.editing ? (
        <>
          <label htmlFor={id} className="sr-only">
            Prompt for image {index + 1}
          </label>
          <textarea
            id={id}
            rows={3}
            maxLength={500}
            className={`${inputClass} resize-none text-xs`}
            value={text}
            onChange={(e) => editor.setDraft(e.target.value)}
          />
          <EditorActions editor={editor} label="Regenerate" disabled={disabled || !text.trim()} onRegenerate={() => void run(text.trim())} />
        </>
      ) : (
        <>
          <p className="image-prompt-text line-clamp-3 break-words text-xs text-slate-600" title={prompt}>
            {prompt || <span className="italic text-slate-400">No prompt recorded</span>}
          </p>
          <div className="mt-auto flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="secondary"
              loading={editor.busy}
              disabled={disabled}
              onClick={() => void run()}
              aria-label={`Regenerate image ${index + 1} with a new seed`}
            >
              Regenerate
            </Button>
            <Button size="sm" variant="ghost" disabled={disabled} onClick={editor.open} aria-label={`Edit the prompt of image ${index + 1}`}>
              Edit prompt
            </Button>
          </div>
        </>
      )}
    </div>
  );
}

/** Placeholders while images render, so the page keeps its shape. */
export function GridSkeleton({ count, aspect = "aspect-square" }: { count: number; aspect?: string }) {
  return (
    <div className="grid grid-cols-2 gap-4 md:grid-cols-3" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className={clsx(aspect, "animate-pulse rounded-xl bg-gradient-to-br from-slate-100 to-slate-200")} />
      ))}
    </div>
  );
}
