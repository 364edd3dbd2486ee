/** A log that keeps its newest `limit` entries, so a long-running simulator's memory stays flat. */
export interface BoundedLog<T> {
  push(entry: T): void;
  /** A copy, oldest first. */
  entries(): T[];
  clear(): void;
}

export function createBoundedLog<T>(limit: number): BoundedLog<T> {
  let list: T[] = [];
  return {
    push(entry) {
      list.push(entry);
      if (list.length > limit) list.splice(0, list.length - limit);
    },
    entries: () => [...list],
    clear() {
      list = [];
    },
  };
}
