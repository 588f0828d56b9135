// Display helpers shared by the tables.

/** kubectl's age format (apimachinery duration.HumanDuration, shortened): 45s, 12m, 5h, 3d. */
export function formatAge(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

export function conditionStatus(conditions: readonly { type: string; status: string }[] | undefined, type: string): string {
  return conditions?.find((c) => c.type === type)?.status ?? '';
}

/** metadata.creationTimestamp, which the operators' generic KubeObject type does not declare. */
export function createdAt(obj: { metadata?: object }): string | undefined {
  return (obj.metadata as { creationTimestamp?: string } | undefined)?.creationTimestamp;
}
