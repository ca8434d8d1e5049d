"use client";

import { useState } from "react";

import { AppHeader } from "@/components/AppHeader";
import { PageListCard } from "@/components/programs/PageListCard";
import { useSignedInPage } from "@/components/programs/useSignedInApi";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { InputField } from "@/components/ui/Field";
import { type Api, call } from "@/lib/api";
import type { components } from "@/lib/api-schema";

type BrandKit = components["schemas"]["BrandKitInfo"];
type Part = "logo" | "font";

const readKits = (api: Api) => call(api.GET("/api/brand-kits"));

/** Brand kits: name, colours, default CTA, a logo and a font; a compose can pick one. */
export default function BrandKitsPage() {
  const { api, data: kits, error, reload: load, busy, act } = useSignedInPage("/brand", readKits);
  const [name, setName] = useState("");
  const [primary, setPrimary] = useState("#FF3366");
  const [secondary, setSecondary] = useState("#FFFFFF");
  const [cta, setCta] = useState("");

  function create(event: React.FormEvent) {
    event.preventDefault();
    const body = { name, primary_color: primary, secondary_color: secondary, ...(cta.trim() ? { default_cta: cta } : {}) };
    void act(async () => {
      await call(api.POST("/api/brand-kits", { body }));
      setName("");
      setCta("");
    });
  }

  function upload(kit: BrandKit, part: Part, file: File | undefined) {
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    const path = { params: { path: { kit_id: kit.id } }, body: form as unknown as { file: string }, bodySerializer: (b: unknown) => b as FormData };
    void act(() =>
      call(part === "logo" ? api.PUT("/api/brand-kits/{kit_id}/logo", path) : api.PUT("/api/brand-kits/{kit_id}/font", path)),
    );
  }

  function remove(kit: BrandKit) {
    void act(() => call(api.DELETE("/api/brand-kits/{kit_id}", { params: { path: { kit_id: kit.id } } })));
  }

  return (
    <>
      <AppHeader />
      <main className="mx-auto max-w-4xl px-4 pb-24 pt-10 sm:px-6">
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Brand kits</h1>
        <p className="mt-1 text-slate-500">
          Your colours, logo, font and call to action. Pick a kit on the finishing screen: its colour draws the texts and its logo can sit in a corner.
        </p>
        <Card className="mt-6 p-6">
          <form onSubmit={create} className="grid gap-4 sm:grid-cols-[1fr_auto_auto_1fr_auto] sm:items-end" aria-label="New brand kit">
            <InputField id="kit-name" label="Name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
            <InputField id="kit-primary" label="Primary" type="color" className="h-10 w-16" value={primary} onChange={(e) => setPrimary(e.target.value.toUpperCase())} />
            <InputField id="kit-secondary" label="Secondary" type="color" className="h-10 w-16" value={secondary} onChange={(e) => setSecondary(e.target.value.toUpperCase())} />
            <InputField id="kit-cta" label="Default call to action" maxLength={30} value={cta} onChange={(e) => setCta(e.target.value)} />
            <Button type="submit" loading={busy} disabled={!name.trim()}>
              Create kit
            </Button>
          </form>
        </Card>
        <PageListCard error={error} onRetry={() => void load()} items={kits}>
          {(k) => (
            <li key={k.id} className="flex flex-wrap items-center gap-4 px-6 py-4" data-testid="brand-kit">
              <span className="flex gap-1" aria-label={`colours ${k.primary_color} and ${k.secondary_color}`}>
                <span className="h-6 w-6 rounded border border-slate-200" style={{ background: k.primary_color }} />
                <span className="h-6 w-6 rounded border border-slate-200" style={{ background: k.secondary_color }} />
              </span>
              <span className="min-w-0 flex-1">
                <span className="block font-medium text-slate-900">{k.name}</span>
                <span className="text-sm text-slate-500">
                  {k.default_cta ? `“${k.default_cta}” · ` : ""}
                  {k.has_logo ? "logo" : "no logo"} · {k.font_family ?? "no font"}
                </span>
              </span>
              <label className="text-sm text-brand-700">
                Logo (PNG/WebP)
                <input type="file" accept="image/png,image/webp" className="sr-only" aria-label={`Logo for ${k.name}`} onChange={(e) => upload(k, "logo", e.target.files?.[0])} />
              </label>
              <label className="text-sm text-brand-700">
                Font (TTF/OTF)
                <input type="file" accept=".ttf,.otf,font/ttf,font/otf" className="sr-only" aria-label={`Font for ${k.name}`} onChange={(e) => upload(k, "font", e.target.files?.[0])} />
              </label>
              <Button size="sm" variant="danger" aria-label={`Delete ${k.name}`} onClick={() => remove(k)}>
                Delete
              </Button>
            </li>
          )}
        </PageListCard>
      </main>
    </>
  );
}
