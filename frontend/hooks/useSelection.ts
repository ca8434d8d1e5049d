import { useCallback, useEffect, useState } from "react";

/**
 * A set of checked ids that starts from (and follows) what the session already approved, so the
 * mood board persists: a refresh brings the same cards back checked.
 */
export function useSelection(approved: string[]): [Set<string>, (id: string) => void] {
  const [selected, setSelected] = useState<Set<string>>(() => new Set(approved));
  const approvedKey = approved.join(",");
  useEffect(() => setSelected(new Set(approvedKey ? approvedKey.split(",") : [])), [approvedKey]);
  const toggle = useCallback(
    (id: string) =>
      setSelected((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  return [selected, toggle];
}
