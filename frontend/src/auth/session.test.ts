import { afterEach, describe, expect, it } from 'vitest';
import { loadSession, onOtherTabChange, parseSession, saveSession, type Session } from './session';

const session = (expiresAt: number): Session => ({
  token: 'header.payload.signature',
  expiresAt,
  user: { id: 7, username: 'c3-lethanhtong', displayName: 'Văn thư', role: 'school', unit: { id: 12 } } as unknown as Session['user'],
});

describe('parseSession', () => {
  const now = Date.UTC(2026, 11, 5, 17, 0, 0);
  it.each([
    ['nothing stored', null, false],
    ['not JSON', '{token', false],
    ['JSON null', 'null', false],
    ['no token', JSON.stringify({ expiresAt: now + 1000 }), false],
    ['expiry not a number', JSON.stringify({ ...session(0), expiresAt: 'tomorrow' }), false],
    ['expired a millisecond ago', JSON.stringify(session(now - 1)), false],
    ['expires exactly now', JSON.stringify(session(now)), false],
    ['valid for an hour', JSON.stringify(session(now + 3_600_000)), true],
  ])('%s', (_name, raw, valid) => {
    expect(parseSession(raw, now) !== undefined).toBe(valid);
  });
});

describe('the session shared by the tabs', () => {
  afterEach(() => localStorage.clear());

  it('is kept in localStorage, where every tab of the browser reads it', () => {
    const s = session(Date.now() + 60_000);
    saveSession(s);
    expect(loadSession()?.token).toBe(s.token);
    expect(sessionStorage.length).toBe(0);
  });

  it('follows a sign-in and a sign-out made in another tab', () => {
    const seen: (string | undefined)[] = [];
    const stop = onOtherTabChange((next) => seen.push(next?.token));
    const s = session(Date.now() + 60_000);
    window.dispatchEvent(new StorageEvent('storage', { key: 'dinhdanh.session', newValue: JSON.stringify(s) }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'dinhdanh.fixes', newValue: 'x' }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'dinhdanh.session', newValue: null }));
    window.dispatchEvent(new StorageEvent('storage', { key: null, newValue: null }));
    stop();
    window.dispatchEvent(new StorageEvent('storage', { key: 'dinhdanh.session', newValue: JSON.stringify(s) }));
    expect(seen).toEqual([s.token, undefined, undefined]);
  });
});
