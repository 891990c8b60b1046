// The signed-in session (token and account), kept in localStorage so that every tab of the
// browser shares it for the token's lifetime: signing in or out in one tab does the same in the
// others (the `storage` event). Expiry (a 401 from any call) is announced to listeners, which
// send the user back to the login page.
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

/** A stored session, or nothing when it is missing, malformed or past its expiry. */
export function parseSession(raw: string | null, now: number): Session | undefined {
  if (!raw) return undefined;
  try {
    const session = JSON.parse(raw) as Session;
    if (typeof session?.token !== 'string' || typeof session.expiresAt !== 'number' || session.expiresAt <= now) {
      return undefined;
    }
    return session;
  } catch {
    return undefined;
  }
}

export function loadSession(): Session | undefined {
  const raw = localStorage.getItem(KEY);
  const session = parseSession(raw, Date.now());
  if (!session && raw) localStorage.removeItem(KEY);
  return session;
}

export function saveSession(session: Session): void {
  expired = false;
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

export function currentToken(): string | undefined {
  return loadSession()?.token;
}

/** Called when the server refuses the token: the session is dropped and listeners told. */
export function expireSession(): void {
  if (!localStorage.getItem(KEY)) return;
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

/**
 * Calls `listener` with the session another tab of this browser signed in with (or
 * `undefined` when it signed out or its session was refused).
 */
export function onOtherTabChange(listener: (session: Session | undefined) => void): () => void {
  const handler = (event: StorageEvent) => {
    if (event.key !== KEY && event.key !== null) return;
    listener(parseSession(event.newValue, Date.now()));
  };
  window.addEventListener('storage', handler);
  return () => window.removeEventListener('storage', handler);
}
