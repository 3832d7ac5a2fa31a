/** Small hooks the views share: data that loads (and reloads in place), and a timer. */
import { useEffect, useRef, useState } from 'preact/hooks';

export type Async<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
};

/**
 * Runs `load` whenever `deps` change or `reload` is called. The last data stays on screen
 * while the next load runs, so a refresh does not blank the view; an answer that arrives
 * after a newer request started is dropped.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  // `deps` are the caller's: what `load` reads.
  useEffect(() => {
    const request = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => {
        if (request === latest.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (request === latest.current) {
          setState((previous) => ({ data: previous.data, error, loading: false }));
        }
      },
    );
  }, [...deps, round]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: () => setRound((n) => n + 1),
  };
}

/** Calls `tick` every `ms` while the page is visible, and not at all when `ms` is null. */
export function useInterval(tick: () => void, ms: number | null): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (ms === null) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}
