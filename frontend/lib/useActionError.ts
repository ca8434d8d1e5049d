import { useState } from "react";

/**
 * A screen's user actions and their one error state: `attempt(work, busy)` clears the error, calls
 * `busy(true)` (when given), runs `work`, keeps what it throws in `error`, then calls `busy(false)`.
 * It never rejects: it resolves to whether `work` succeeded.
 */
export function useActionError() {
  const [error, setError] = useState<unknown>(null);

  async function attempt(work: () => Promise<unknown>, busy?: (running: boolean) => void): Promise<boolean> {
    busy?.(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      busy?.(false);
    }
  }

  return { error, setError, attempt };
}
