/**
 * The API token for this browser tab: kept in `sessionStorage` (gone when the tab closes, never
 * shared with other tabs, never put in a URL).
 */
const KEY = 'shipmate.apiToken';

/** The stored token, if any. */
export function readSessionToken(): string | undefined {
  try {
    return window.sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Stores the token for this tab. */
export function saveSessionToken(token: string): void {
  window.sessionStorage.setItem(KEY, token);
}

/** Forgets the token (log out). */
export function clearSessionToken(): void {
  window.sessionStorage.removeItem(KEY);
}
