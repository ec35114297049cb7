// The one wording of "an id outside the table", shared by the host check (cpu,
// wasm: before anything is queued) and the device check (webgpu: flagged by the
// lookup kernel, thrown by the next read), so both read alike.

/** The error for id `id` at flat position `position` of a lookup into a table of `size` rows. */
export function idOutOfRange(caller: string, id: number, position: number, size: number): string {
  return `${caller}: ids should be in [0, ${size - 1}] (vocabulary of ${size}), got ${id} at position ${position}`;
}
