/**
 * Waits for the promise at most `ms`, resolving undefined when the time is up first.
 * The timer is cleared as soon as the promise settles, so nothing of a run stays
 * referenced by a pending timer.
 */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
