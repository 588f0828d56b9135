// Chooses the provider of each Machine from its providerSpec's kind, so one operator can serve several clouds
// at once; deployments restrict which providers are enabled (--providers).
import type { Machine, MachineSet } from '../../api/machine-v1beta1.ts';
import { TerminalError } from '../../runtime/errors.ts';
import type { Actuator, ProviderDeps, ProviderFactory } from './actuator.ts';

export interface ProviderRegistry {
  /** The actuator for a machine; TerminalError InvalidConfiguration when no enabled provider serves its kind. */
  actuatorFor(machine: Machine): Actuator;
  /** The actuator for the Machines of a MachineSet, by its template's providerSpec kind; errors as actuatorFor's. */
  actuatorForMachineSet(machineSet: MachineSet): Actuator;
  /** Names of the enabled providers. */
  readonly enabled: readonly string[];
}

export function providerRegistry(factories: readonly ProviderFactory[], deps: ProviderDeps): ProviderRegistry {
  const byKind = new Map<string, Actuator>();
  for (const factory of factories) {
    const actuator = factory.create(deps);
    for (const kind of factory.kinds) byKind.set(kind, actuator);
  }
  const kinds = [...byKind.keys()].sort();
  /** The actuator serving the providerSpec `value` found at `path` (the field errors name it). */
  const byProviderSpec = (value: unknown, path: string): Actuator => {
    if (!value || typeof value !== 'object') {
      throw new TerminalError('InvalidConfiguration', `${path}: Required value: a providerSpec is required`);
    }
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind !== 'string' || kind === '') {
      throw new TerminalError('InvalidConfiguration', `${path}.kind: Required value: the providerSpec kind names the provider`);
    }
    const actuator = byKind.get(kind);
    if (!actuator) {
      throw new TerminalError('InvalidConfiguration', `${path}.kind: Unsupported value: "${kind}": supported values: ${kinds.map((k) => `"${k}"`).join(', ')} (enabled providers: ${factories.map((f) => f.name).join(', ')})`);
    }
    return actuator;
  };
  return {
    enabled: factories.map((f) => f.name),
    actuatorFor: (machine) => byProviderSpec(machine.spec?.providerSpec?.value, 'spec.providerSpec.value'),
    actuatorForMachineSet: (machineSet) => byProviderSpec(machineSet.spec?.template?.spec?.providerSpec?.value, 'spec.template.spec.providerSpec.value'),
  };
}
