// The page's path as React state, and moving to another page without a reload (history.pushState).
import { useSyncExternalStore, type MouseEvent } from 'react';

/** Fired after the app changes the URL itself (popstate only fires for the browser's own moves). */
export const URL_CHANGE_EVENT = 'taskflow:urlchange';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(URL_CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(URL_CHANGE_EVENT, onChange);
  };
}

function currentPath(): string {
  return window.location.pathname;
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** Goes to `url` (a path with its query) as a new history entry, or in place of this one with `replace`. */
export function navigate(url: string, { replace = false }: { replace?: boolean } = {}): void {
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(URL_CHANGE_EVENT));
}

/** A link's click handled in the page; a click meant for a new tab or window is left to the browser. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? '/');
}
