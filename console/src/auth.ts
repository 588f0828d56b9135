// The user's bearer token, kept in sessionStorage (gone with the tab, never in a cookie, so no other request carries
// it). `npm start` prints a console URL with the token in the fragment (#token=…): a fragment is never sent to a
// server, so the static-file server does not see it either; the page moves it into sessionStorage and strips it
// from the address bar and history at once.

export const TOKEN_STORAGE_KEY = 'machine-fleet.console.token';

/** The token in a `#token=…` fragment, and the fragment left once it is removed ('' when nothing else was in it). */
export function takeTokenFromFragment(hash: string): { token: string | undefined; rest: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token') ?? undefined;
  params.delete('token');
  const rest = params.toString();
  return { token: token?.trim() || undefined, rest: rest ? `#${rest}` : '' };
}

export interface TokenStore {
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

export function sessionTokenStore(storage: Storage): TokenStore {
  return {
    get: () => storage.getItem(TOKEN_STORAGE_KEY) ?? undefined,
    set: (token) => storage.setItem(TOKEN_STORAGE_KEY, token),
    clear: () => storage.removeItem(TOKEN_STORAGE_KEY),
  };
}

/** Moves a token from the page's fragment into the store and rewrites the URL without it (no new history entry). */
export function adoptTokenFromLocation(location: Location, history: History, store: TokenStore): void {
  const { token, rest } = takeTokenFromFragment(location.hash);
  if (token === undefined) return;
  store.set(token);
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest}`);
}
