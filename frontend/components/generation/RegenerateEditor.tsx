import { useState } from "react";

import { Button } from "@/components/ui/Button";

/** An asset's editor that re-renders it: whether the editor is open, and whether a render is under way (it closes once one succeeds). */
export function useRegenerateEditor() {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);

  async function regenerate(render: () => Promise<void>) {
    setBusy(true);
    try {
      await render();
      setEditing(false);
    } finally {
      setBusy(false);
    }
  }

  return { editing, setEditing, busy, regenerate };
}

/** Under an open editor: the button that renders the asset again with the edit, and "Cancel". */
export function EditorActions({
  label,
  busy,
  disabled,
  onRegenerate,
  onCancel,
}: {
  label: string;
  busy: boolean;
  disabled: boolean;
  onRegenerate: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="flex flex-wrap gap-2">
      <Button size="sm" loading={busy} disabled={disabled} onClick={onRegenerate}>
        {label}
      </Button>
      <Button size="sm" variant="ghost" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}
