/**
 * When a guest joins an account and both hold a live place in the same line, one person keeps one
 * place: the better of the two. A running turn beats a wait; between two waits the earlier place
 * wins, and a drawn place beats one still in the pre-queue (whose place is not known yet). Otherwise
 * the account keeps its own (`first`).
 */
export interface LiveToken {
  status: 'waiting' | 'active';
  /** null in the pre-queue, before the draw. */
  place: number | null;
}

export function keptToken(first: LiveToken, second: LiveToken): 'first' | 'second' {
  if (first.status !== second.status) return first.status === 'active' ? 'first' : 'second';
  if (first.place === null || second.place === null) return first.place === null && second.place !== null ? 'second' : 'first';
  return second.place < first.place ? 'second' : 'first';
}
