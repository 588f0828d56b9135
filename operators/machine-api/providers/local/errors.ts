// The one place that knows the local cloud's error codes (shared/STYLE.md "Errors"): a 400 is the spec's
// fault and retrying cannot fix it (InvalidConfiguration, the Machine goes Failed); throttling (429), server
// errors (5xx), a name still held by a terminating instance (409) and network failures are transient.
import { TerminalError } from '../../../runtime/errors.ts';
import { LocalCloudApiError } from './client.ts';

const SPEC_PATH = 'spec.providerSpec.value';

/** `err` from a client call, as the actuator throws it. */
export function toActuatorError(err: unknown): unknown {
  if (!(err instanceof LocalCloudApiError)) return err; // network errors and aborts: transient as they are
  if (err.status === 400) return new TerminalError('InvalidConfiguration', providerSpecMessage(err), { cause: err });
  const what = err.status === 429 ? 'throttled' : 'failed';
  return new Error(`local cloud ${err.operation} ${what} (HTTP ${err.status} ${err.code}): ${err.message}`, { cause: err });
}

// The cloud names its request fields ("spec.bootDelaySeconds: Invalid value: …"); on a Machine they live
// under spec.providerSpec.value, and the user should read the path they wrote.
function providerSpecMessage(err: LocalCloudApiError): string {
  const field = err.field;
  if (field?.startsWith('spec.')) {
    const path = `${SPEC_PATH}.${field.slice('spec.'.length)}`;
    return err.message.startsWith(`${field}:`) ? path + err.message.slice(field.length) : err.message.replaceAll(`"${field}"`, `"${path}"`);
  }
  return `local cloud rejected ${err.operation}: ${err.message}`;
}
