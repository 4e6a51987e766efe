/**
 * How Idempotency-Key answers are forgotten, wherever they are kept (es.idempotency_keys,
 * identity.sealed_responses): never before 24 h, as the API promises, and in slices, so a
 * large backlog never holds locks for long. `deleteSlice` removes at most `slice` rows older
 * than `olderThanHours` and says how many it removed; slices run until one comes up short.
 * Returns how many were removed in all.
 */
export async function expireInSlices(
  olderThanHours: number,
  slice: number,
  deleteSlice: (olderThanHours: number, slice: number) => Promise<number>,
): Promise<number> {
  if (!(olderThanHours >= 24)) throw new RangeError('idempotency keys must live at least 24 h');
  let removed = 0;
  for (;;) {
    const n = await deleteSlice(olderThanHours, slice);
    removed += n;
    if (n < slice) return removed;
  }
}
