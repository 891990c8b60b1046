// The signed-in session (token and account), kept in sessionStorage so it lasts for the tab
// and ends with it. Expiry (a 401 from any call) is announced to listeners, which send the
// user back to the login page.
import type { UserView } from '../api/types';

export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  user: UserView;
  /** Signed in with a one-time password: only the password change is allowed until it is done. */
  mustChangePassword?: boolean;
}

const KEY = 'dinhdanh.session';
type Listener = () => void;
const expiryListeners = new Set<Listener>();
/** True from a refused token until the next login: the login page then says why it is shown. */
let expired = false;

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as Session;
    if (typeof session.token !== 'string' || session.expiresAt <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  expired = false;
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export function currentToken(): string | undefined {
  return loadSession()?.token;
}

/** Called when the server refuses the token: the session is dropped and listeners told. */
export function expireSession(): void {
  if (!sessionStorage.getItem(KEY)) return;
  clearSession();
  expired = true;
  for (const listener of expiryListeners) listener();
}

export function onSessionExpired(listener: Listener): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/** Whether the last session ended because the server refused its token. */
export function sessionExpired(): boolean {
  return expired;
}
