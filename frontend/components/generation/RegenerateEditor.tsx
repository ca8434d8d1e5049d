import { useState } from "react";

import { Button } from "@/components/ui/Button";

/**
 * An asset's editor that re-renders it: whether the editor is open, the edit in it (`draft`, set
 * back to the asset's `current` settings by `open()`), and whether a render is under way (it
 * closes once one succeeds).
 */
export function useRegenerateEditor<T>(current: T) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(current);
  const [busy, setBusy] = useState(false);

  function open() {
    setDraft(current);
    setEditing(true);
  }

  async function regenerate(render: () => Promise<void>) {
    setBusy(true);
    try {
      await render();
      setEditing(false);
    } finally {
      setBusy(false);
    }
  }

  return { editing, setEditing, open, draft, setDraft, busy, regenerate };
}

/** Under an open editor: the button that renders the asset again with the edit, and "Cancel" (closes the editor). */
export function EditorActions({
  editor,
  label,
  disabled,
  onRegenerate,
}: {
  editor: { busy: boolean; setEditing: (open: boolean) => void };
  label: string;
  disabled: boolean;
  onRegenerate: () => void;
}) {
  return (
    <div className="flex flex-wrap gap-2">
      <Button size="sm" loading={editor.busy} disabled={disabled} onClick={onRegenerate}>
        {label}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => editor.setEditing(false)}>
        Cancel
      </Button>
    </div>
  );
}
