// Status conditions as cluster-api's util/conditions/setter.go treats them: `lastTransitionTime` moves
// only when the status flips, so "since when is this Machine not Ready" stays true across reconciles,
// and `observedGeneration` says which spec the condition was computed from. Pure: time comes in.
import { formatTime } from './time.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
  /** metav1.Time, `2006-01-02T15:04:05Z`. */
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

/** What a controller states; the setter stamps the times and the generation. */
export type ConditionInput<C extends Condition = Condition> = Omit<C, 'lastTransitionTime' | 'observedGeneration'>;

/**
 * Returns a new list with `next` set: it replaces the condition of the same type, or is appended.
 * `lastTransitionTime` is kept unless the status changes (or was missing); `observedGeneration` is set
 * when `generation` is given. The input list is not modified, and the order of other conditions is kept.
 */
export function setCondition<C extends Condition>(
  list: readonly C[] | undefined,
  next: ConditionInput<C>,
  now: Date,
  generation?: number,
): C[] {
  const existing = list?.find((c) => c.type === next.type);
  const lastTransitionTime =
    existing?.lastTransitionTime !== undefined && existing.status === next.status
      ? existing.lastTransitionTime
      : formatTime(now);
  const condition = {
    ...next,
    lastTransitionTime,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  } as C;
  if (!existing) return [...(list ?? []), condition];
  return (list ?? []).map((c) => (c.type === next.type ? condition : c));
}

export function getCondition<C extends Condition>(list: readonly C[] | undefined, type: string): C | undefined {
  return list?.find((c) => c.type === type);
}

export function isConditionTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(list, type)?.status === 'True';
}

/** Returns a new list without the condition of `type`. */
export function removeCondition<C extends Condition>(list: readonly C[] | undefined, type: string): C[] {
  return (list ?? []).filter((c) => c.type !== type);
}
