// The signed-in user lives in localStorage so a refresh (or a new tab) keeps the session.

export interface Account {
  token: string;
  email: string;
  userId: number;
}

const KEY = "adreel.account";

export function loadAccount(): Account | null {
  if (typeof window === "undefined") return null;
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Account) : null;
  } catch {
    return null;
  }
}

export function saveAccount(account: Account): void {
  window.localStorage.setItem(KEY, JSON.stringify(account));
}

export function clearAccount(): void {
  window.localStorage.removeItem(KEY);
}
