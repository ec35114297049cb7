// The device's loss as an event that waits can join and leave. Racing each wait
// against `device.lost` (Promise.race, or a .then per wait) would leave a reaction on
// that promise for every wait until the device is lost, which in a healthy run is
// never: a few hundred bytes per read, without end (found by the soak run).

export class LossSignal {
  private readonly listeners = new Set<() => void>();
  private fired = false;

  constructor(lost: Promise<unknown>) {
    void lost.then(() => {
      this.fired = true;
      for (const listener of this.listeners) listener();
      this.listeners.clear();
    });
  }

  /**
   * Settles as `promise` does, or rejects with `error()` as soon as the device is lost
   * (at once when it already is). Leaves nothing behind once it has settled.
   */
  race<T>(promise: Promise<T>, error: () => Error): Promise<T> {
    if (this.fired) return Promise.reject(error());
    return new Promise<T>((resolve, reject) => {
      const onLost = () => reject(error());
      this.listeners.add(onLost);
      promise.then(
        (value) => {
          this.listeners.delete(onLost);
          resolve(value);
        },
        (reason: unknown) => {
          this.listeners.delete(onLost);
          reject(reason);
        },
      );
    });
  }

  /** Resolves when `promise` settles or the device is lost, whichever comes first; never rejects. */
  settled(promise: Promise<unknown>): Promise<void> {
    return this.race(promise, () => new Error('lost')).then(() => {}, () => {});
  }
}
