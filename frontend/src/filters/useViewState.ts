// React access to the URL-held view state: read on every navigation, written with history.replaceState.
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { URL_CHANGE_EVENT as CHANGE_EVENT } from '../navigation/location';
import { parseViewState, serializeViewState, type ViewState } from './urlState';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

function currentSearch(): string {
  return window.location.search;
}

export function useViewState(): [ViewState, (update: (state: ViewState) => ViewState) => void] {
  const search = useSyncExternalStore(subscribe, currentSearch);
  const state = useMemo(() => parseViewState(search), [search]);
  const update = useCallback((change: (state: ViewState) => ViewState) => {
    const next = serializeViewState(change(parseViewState(window.location.search)));
    if (next === window.location.search) return;
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${next}${window.location.hash}`);
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }, []);
  return [state, update];
}
