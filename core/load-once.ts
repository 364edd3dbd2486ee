/**
 * A module loaded on first need (the XML and XPath libraries): one load per process, shared by
 * concurrent callers; a failed load is tried again by the next caller. `loaded()` is the result
 * once the load has completed, for synchronous evaluators.
 */
export function loadOnce<T>(load: () => Promise<T>): { readonly load: () => Promise<T>; readonly loaded: () => T | undefined } {
  let loaded: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load: () => {
      if (loaded) return Promise.resolve(loaded);
      loading ??= load().then(
        (value) => (loaded = value),
        (err: unknown) => {
          loading = undefined;
          throw err;
        },
      );
      return loading;
    },
    loaded: () => loaded,
  };
}
