// What makes a MachineSet unusable, and the Machine it stamps out (MAO pkg/controller/machineset/controller.go
// `reconcile` validation and `createMachine`; shared/reference/machine-api.md §1.7 steps 2 and 6).
// MAO returns validation failures as a plain error (an event and backoff, forever) and never sets the status
// fields; here the same checks yield status.errorReason/errorMessage so `oc get machineset -o yaml` says why.
import {
  MACHINE_API_GROUP_VERSION,
  MACHINE_FINALIZER,
  MACHINE_SET_RESOURCE,
  type Machine,
  type MachineSet,
} from '../../api/machine-v1beta1.ts';
import { isEmptySelector, labelSelectorErrors, labelSelectorMatches } from '../label-selector.ts';

export interface MachineSetInvalid {
  readonly reason: 'InvalidConfiguration';
  /** field.ErrorList.ToAggregate().Error(): one error alone, several as `[a, b]`. */
  readonly message: string;
}

function nonNegative(path: string, value: number | undefined): string[] {
  return value !== undefined && value < 0 ? [`${path}: Invalid value: ${value}: must be greater than or equal to 0`] : [];
}

/** Every field error of the MachineSet, with its full field path. */
export function machineSetErrors(ms: MachineSet): string[] {
  const selector = ms.spec?.selector;
  const errs: string[] = [];
  const selectorErrs = labelSelectorErrors(selector, 'spec.selector');
  errs.push(...selectorErrs);
  if (isEmptySelector(selector)) {
    // An empty selector would select every Machine in the namespace.
    errs.push(`spec.selector: Invalid value: ${JSON.stringify(selector ?? {})}: empty selector is not valid for MachineSet`);
  } else if (selectorErrs.length === 0 && !labelSelectorMatches(selector, ms.spec?.template?.metadata?.labels)) {
    // Machines created from the template would not be selected, so the set would create them forever.
    errs.push(`spec.selector: Invalid value: ${JSON.stringify(selector)}: selector does not match template labels`);
  }
  errs.push(...nonNegative('spec.replicas', ms.spec?.replicas), ...nonNegative('spec.minReadySeconds', ms.spec?.minReadySeconds));
  return errs;
}

/** Why the MachineSet cannot be reconciled, or undefined when it is valid. */
export function validateMachineSet(ms: MachineSet): MachineSetInvalid | undefined {
  const errs = machineSetErrors(ms);
  if (errs.length === 0) return undefined;
  return { reason: 'InvalidConfiguration', message: errs.length === 1 ? errs[0] : `[${errs.join(', ')}]` };
}

/**
 * The Machine a MachineSet creates: generateName `<ms>-`, labels and annotations from template.metadata, spec from
 * template.spec, the set's namespace, and a controller ownerReference (metav1.NewControllerRef: controller and
 * blockOwnerDeletion true), the Machine finalizer. template.metadata's name, generateName and ownerReferences are ignored, as in MAO.
 * The template objects are copied, so the result can be modified without touching the MachineSet.
 */
export function machineFromTemplate(ms: MachineSet): Machine {
  const template = structuredClone(ms.spec?.template ?? {});
  return {
    apiVersion: MACHINE_API_GROUP_VERSION,
    kind: 'Machine',
    metadata: {
      generateName: `${ms.metadata.name ?? ''}-`,
      ...(ms.metadata.namespace !== undefined ? { namespace: ms.metadata.namespace } : {}),
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      // Born with the Machine controller's finalizer (as Cluster API's MachineSet creates its Machines), which
      // saves the controller a patch and a reconcile per Machine; the controller still adds it to Machines
      // created by hand.
      finalizers: [MACHINE_FINALIZER],
      ownerReferences: [
        {
          apiVersion: MACHINE_SET_RESOURCE.apiVersion,
          kind: MACHINE_SET_RESOURCE.kind,
          name: ms.metadata.name ?? '',
          uid: ms.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: template.spec ?? {},
  };
}
