"use client";

import { useState } from "react";

import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { InputField, SelectField } from "@/components/ui/Field";
import { type Api, call } from "@/lib/api";
import type { components } from "@/lib/api-schema";
import { dateTime } from "@/lib/format";

import { PageListCard } from "./PageListCard";
import { useSignedInPage } from "./useSignedInApi";

type Scope = components["schemas"]["CreateApiKeyRequest"]["scope"];

const readKeys = (api: Api) => call(api.GET("/api/api-keys"));

/** Personal API keys for scripts, the CLI and MCP clients: create (shown once), list, revoke. */
export function ApiKeys() {
  const { api, data: keys, error, setError, reload: load, busy, act } = useSignedInPage("/keys", readKeys);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<Scope>("generate");
  const [days, setDays] = useState("");
  const [shown, setShown] = useState<string | null>(null);

  function create(event: React.FormEvent) {
    event.preventDefault();
    const body = { name, scope, ...(days ? { expires_in_days: Number(days) } : {}) };
    void act(async () => {
      const created = await call(api.POST("/api/api-keys", { body }));
      setShown(created.key);
      setName("");
    });
  }

  async function revoke(id: string) {
    try {
      await call(api.DELETE("/api/api-keys/{key_id}", { params: { path: { key_id: id } } }));
      await load();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <main className="mx-auto max-w-4xl px-4 pb-24 pt-10 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900">API keys</h1>
      <p className="mt-1 text-slate-500">
        For scripts, <code>adreel login --key</code> and MCP clients. A read key reads; a generate key also makes ads. Keys act as you, within your quotas.
      </p>
      <Card className="mt-6 p-6">
        <form onSubmit={create} className="grid gap-4 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end" aria-label="New API key">
          <InputField id="key-name" label="Name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          <SelectField id="key-scope" label="Scope" value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
            <option value="generate">generate</option>
            <option value="read">read</option>
          </SelectField>
          <InputField id="key-days" label="Expires in days" type="number" min="1" max="3650" placeholder="never" value={days} onChange={(e) => setDays(e.target.value)} />
          <Button type="submit" loading={busy} disabled={!name.trim()}>
            Create key
          </Button>
        </form>
        {shown && (
          <div className="mt-4 rounded-lg bg-amber-50 p-4 text-sm text-amber-900" role="status">
            <p className="font-medium">Copy this key now: it is shown only once.</p>
            <code className="mt-2 block break-all rounded bg-white p-2 font-mono text-xs" data-testid="new-api-key">
              {shown}
            </code>
            <Button size="sm" variant="secondary" className="mt-2" onClick={() => void navigator.clipboard?.writeText(shown)}>
              Copy
            </Button>
          </div>
        )}
      </Card>
      <PageListCard error={error} onRetry={() => void load()} items={keys}>
        {(k) => (
          <li key={k.id} className="flex flex-wrap items-center gap-4 px-6 py-4">
            <span className="min-w-0 flex-1">
              <span className="block font-medium text-slate-900">{k.name}</span>
              <span className="text-sm text-slate-500">
                <code>{k.hint}</code> · created {dateTime(k.created_at)}
                {k.last_used_at ? ` · last used ${dateTime(k.last_used_at)}` : " · never used"}
                {k.expires_at ? ` · expires ${dateTime(k.expires_at)}` : ""}
              </span>
            </span>
            <Badge tone={k.scope === "generate" ? "brand" : "light"}>{k.scope}</Badge>
            {k.active ? (
              <Button size="sm" variant="danger" aria-label={`Revoke ${k.name}`} onClick={() => void revoke(k.id)}>
                Revoke
              </Button>
            ) : (
              <Badge tone="red">{k.revoked_at ? "revoked" : "expired"}</Badge>
            )}
          </li>
        )}
      </PageListCard>
    </main>
  );
}
