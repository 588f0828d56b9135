// metav1.LabelSelector to the `labelSelector=` query syntax (apimachinery pkg/labels selector.go String()), so the
// MachineSet page lists exactly the Machines its selector owns, from the server, not by filtering every Machine.
import type { LabelSelector } from '../../../operators/api/machine-v1beta1.ts';

export function labelSelectorString(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.sort().join(',');
}
