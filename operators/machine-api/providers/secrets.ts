// The Secrets a cloud actuator reads for a Machine: its credentials and its user data. Both failing is transient
// (the Secret may be created or fixed later without touching the Machine), so the errors are plain Errors that the
// Machine controller retries, never InvalidConfiguration.
import type { ProviderDeps } from './actuator.ts';
import { PROVIDER_SPEC_PATH } from './spec-fields.ts';

/** The Secret key holding the user data (the installer's worker-user-data Secret). */
export const USER_DATA_SECRET_KEY = 'userData';

/**
 * The credentials in Secret namespace/name, as `parse` reads them. `parse` throws `ParseError` for a Secret that
 * cannot be used; its message is kept, under the credentialsSecret field.
 */
export async function readCredentialsSecret<C>(
  deps: Pick<ProviderDeps, 'readSecret'>,
  secret: { readonly namespace: string; readonly name: string },
  signal: AbortSignal,
  parse: (data: Readonly<Record<string, Buffer>>, secret: string) => C,
  ParseError: abstract new (...args: never[]) => Error,
): Promise<C> {
  const { namespace, name } = secret;
  const data = await deps.readSecret(namespace, name, signal);
  if (!data) throw new Error(`${PROVIDER_SPEC_PATH}.credentialsSecret: Secret ${namespace}/${name} not found; waiting for it to be created`);
  try {
    return parse(data, `${namespace}/${name}`);
  } catch (err) {
    if (err instanceof ParseError) throw new Error(`${PROVIDER_SPEC_PATH}.credentialsSecret: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The user data in Secret namespace/name, under USER_DATA_SECRET_KEY. */
export async function readUserDataSecret(
  deps: Pick<ProviderDeps, 'readSecret'>,
  secret: { readonly namespace: string; readonly name: string },
  signal: AbortSignal,
): Promise<Buffer> {
  const { namespace, name } = secret;
  const data = await deps.readSecret(namespace, name, signal);
  if (!data) throw new Error(`${PROVIDER_SPEC_PATH}.userDataSecret: Secret ${namespace}/${name} not found; waiting for it to be created`);
  const userData = data[USER_DATA_SECRET_KEY];
  if (!userData) throw new Error(`${PROVIDER_SPEC_PATH}.userDataSecret: Secret ${namespace}/${name} has no key "${USER_DATA_SECRET_KEY}"`);
  return userData;
}
