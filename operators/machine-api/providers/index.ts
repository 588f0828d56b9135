// Chooses the provider of each Machine from its providerSpec's kind, so one operator can serve several clouds
// at once; deployments restrict which providers are enabled (--providers).
import type { Machine } from '../../api/machine-v1beta1.ts';
import { TerminalError } from '../../runtime/errors.ts';
import type { Actuator, ProviderDeps, ProviderFactory } from './actuator.ts';

export interface ProviderRegistry {
  /** The actuator for a machine; TerminalError InvalidConfiguration when no enabled provider serves its kind. */
  actuatorFor(machine: Machine): Actuator;
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
  return {
    enabled: factories.map((f) => f.name),
    actuatorFor(machine) {
      const value = machine.spec?.providerSpec?.value as { kind?: unknown } | undefined;
      if (!value || typeof value !== 'object') {
        throw new TerminalError('InvalidConfiguration', 'spec.providerSpec.value: Required value: a providerSpec is required');
      }
      const kind = value.kind;
      if (typeof kind !== 'string' || kind === '') {
        throw new TerminalError('InvalidConfiguration', 'spec.providerSpec.value.kind: Required value: the providerSpec kind names the provider');
      }
      const actuator = byKind.get(kind);
      if (!actuator) {
        throw new TerminalError('InvalidConfiguration', `spec.providerSpec.value.kind: Unsupported value: "${kind}": supported values: ${kinds.map((k) => `"${k}"`).join(', ')} (enabled providers: ${factories.map((f) => f.name).join(', ')})`);
      }
      return actuator;
    },
  };
}
