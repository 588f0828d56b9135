// What a Machine needs before the controller creates anything for it (MAO machine_types.go `Validate`, run at the
// start of every reconcile: shared/reference/machine-api.md §1.4 step 2). Messages are field errors as apimachinery
// formats them (`<path>: Required value: <detail>`), so the user sees which field to fix.
import { CLUSTER_ID_LABEL, type Machine } from '../../api/machine-v1beta1.ts';

/** The field errors of `machine`; empty when it is valid. */
export function machineValidationErrors(machine: Machine): string[] {
  const errors: string[] = [];
  if (!machine.metadata.labels?.[CLUSTER_ID_LABEL]) {
    errors.push(`metadata.labels[${CLUSTER_ID_LABEL}]: Required value: missing ${CLUSTER_ID_LABEL} label.`);
  }
  if (machine.spec?.providerSpec?.value === undefined || machine.spec.providerSpec.value === null) {
    errors.push('spec.providerSpec.value: Required value: value must be provided');
  }
  return errors;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function formatValidationErrors(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}
