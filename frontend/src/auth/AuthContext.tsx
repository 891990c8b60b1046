// The signed-in account for the whole app: login, logout and the session kept in sync with
// localStorage, shared by the browser's tabs (a 401 anywhere drops it; App sends the user to
// the login page; signing in or out in another tab is followed here).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Role } from '../api/types';
import { clearSession, loadSession, onOtherTabChange, onSessionExpired, saveSession, type Session } from './session';

interface AuthValue {
  session: Session | undefined;
  login(username: string, password: string): Promise<Session>;
  /** Changes the signed-in account's password, then signs in again with it. */
  changePassword(currentPassword: string, newPassword: string): Promise<Session>;
  logout(): void;
}

const AuthContext = createContext<AuthValue | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [session, setSession] = useState<Session | undefined>(() => loadSession());

  useEffect(
    () =>
      onSessionExpired(() => {
        setSession(undefined);
        client.clear();
      }),
    [client],
  );

  useEffect(
    () =>
      onOtherTabChange((next) => {
        // maybe another account (or none): nothing cached under the previous one may stay
        client.clear();
        setSession(next);
      }),
    [client],
  );

  const login = useCallback(
    async (username: string, password: string) => {
      const answer = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }));
      const next: Session = {
        token: answer.accessToken,
        expiresAt: Date.now() + answer.expiresIn * 1000,
        user: answer.user,
        mustChangePassword: answer.mustChangePassword,
      };
      client.clear();
      saveSession(next);
      setSession(next);
      return next;
    },
    [client],
  );

  const changePassword = useCallback(
    async (currentPassword: string, newPassword: string) => {
      const username = session?.user.username;
      if (!username) throw new Error('changePassword without a session');
      await unwrap(api.POST('/api/v1/auth/password', { body: { currentPassword, newPassword } }));
      // The token of a one-time password was good for this call only: sign in with the new one.
      return login(username, newPassword);
    },
    [session, login],
  );

  const logout = useCallback(() => {
    clearSession();
    setSession(undefined);
    client.clear();
  }, [client]);

  const value = useMemo(() => ({ session, login, changePassword, logout }), [session, login, changePassword, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** The signed-in session; only for screens behind RequireAuth. */
export function useSession(): Session {
  const { session } = useAuth();
  if (!session) throw new Error('useSession without a session');
  return session;
}

/** The roles of a school's accounts (the clerk and the principal). */
export const isSchoolRole = (role: Role) => role === 'school' || role === 'school_admin';

export const isOfficeRole = (role: Role) => !isSchoolRole(role);

/** Where an account starts: the class list for a school, the overview for an office. */
export function homePath(role: Role): string {
  return isSchoolRole(role) ? '/lop' : '/tong-quan';
}
