/** The logged-in session: the API bound to the token, and the way out (log out, or a token that stopped working). */
import { createContext, useContext } from 'react';
import type { ShipmateApi } from '../api/shipmate-api';

/** What the views get. */
export interface Session {
  readonly api: ShipmateApi;
  /** Forgets the token; `notice` tells the login page why (e.g. the server stopped accepting it). */
  logout: (notice?: string) => void;
}

/** The session's context (provided by the app once logged in). */
export const SessionContext = createContext<Session | undefined>(undefined);

/** The session; only inside the logged-in app. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the logged-in app');
  return session;
}
