// Which thread runs the current job part. Each thread has its own instance (and so
// its own globals); per-thread scratch (odometers, packing buffers) is indexed by
// this, while parts of a job may be taken by any thread.

let current: i32 = 0;

export function setThread(thread: i32): void {
  current = thread;
}

@inline export function threadIndex(): i32 {
  return current;
}
