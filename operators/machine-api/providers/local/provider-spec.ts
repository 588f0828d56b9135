// LocalMachineProviderSpec: the providerSpec.value the local provider serves. Parsed strictly: an unknown or
// mistyped field is a TerminalError (reason InvalidConfiguration, so the Machine goes Failed) naming the full
// field path, in Kubernetes' field-error wording (apimachinery pkg/util/validation/field/errors.go). Its readers
// are its own, not ../spec-fields.ts's: this spec is never written by the installer, so "" and null are errors
// here, not Go zero values meaning unset.
import { MACHINE_API_GROUP_VERSION } from '../../../api/machine-v1beta1.ts';
import { invalidConfiguration, PROVIDER_SPEC_PATH as PATH } from '../spec-fields.ts';

export const LOCAL_PROVIDER_SPEC_KIND = 'LocalMachineProviderSpec';
export const DEFAULT_INSTANCE_TYPE = 'local.medium';
export const DEFAULT_REGION = 'local';
export const DEFAULT_ZONE = 'local-a';

export interface LocalMachineProviderSpec {
  readonly instanceType: string;
  readonly region: string;
  readonly zone: string;
  /**
   * The local cloud image the instance boots (as an AMI): its node reports that image's OS, kubelet and runtime. An
   * image the cloud does not have fails the create (InvalidConfiguration). Absent: the cloud's default OS.
   */
  readonly image?: string;
  /** The node's osImage, overriding the image's (a test knob); the cloud's default when both are absent. */
  readonly osImage?: string;
  /** Seconds the instance stays pending. */
  readonly bootDelaySeconds: number;
  /** The node registers NotReady and stays so. */
  readonly neverReady: boolean;
  /** The node goes Ready=Unknown this many seconds after its instance started running. */
  readonly notReadyAfterSeconds?: number;
  /** The instance runs but no Node registers. */
  readonly failToJoin: boolean;
}

// Each field: how to read it, pushing field errors instead of throwing at the first, so that one Failed
// Machine tells the user everything that is wrong with its spec.
type FieldReader = (raw: unknown, path: string, errors: string[]) => unknown;

const FIELDS: Readonly<Record<string, FieldReader>> = {
  apiVersion: (raw, path, errors) => {
    if (raw !== undefined && raw !== MACHINE_API_GROUP_VERSION) errors.push(`${path}: Unsupported value: ${JSON.stringify(raw)}: supported values: "${MACHINE_API_GROUP_VERSION}"`);
  },
  kind: (raw, path, errors) => {
    if (raw !== LOCAL_PROVIDER_SPEC_KIND) errors.push(raw === undefined ? `${path}: Required value` : `${path}: Unsupported value: ${JSON.stringify(raw)}: supported values: "${LOCAL_PROVIDER_SPEC_KIND}"`);
  },
  // OpenShift's serializers write `metadata: {creationTimestamp: null}` into every providerSpec; ignored.
  metadata: (raw, path, errors) => {
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be an object`);
  },
  instanceType: optionalString,
  region: optionalString,
  zone: optionalString,
  image: optionalString,
  osImage: optionalString,
  bootDelaySeconds: (raw, path, errors) => optionalInteger(raw, path, 0, errors),
  notReadyAfterSeconds: (raw, path, errors) => optionalInteger(raw, path, 1, errors),
  neverReady: optionalBoolean,
  failToJoin: optionalBoolean,
};

/** Parses and defaults a Machine's providerSpec.value; throws TerminalError('InvalidConfiguration', …). */
export function parseLocalProviderSpec(value: unknown): LocalMachineProviderSpec {
  if (value === undefined || value === null) throw invalidConfiguration([`${PATH}: Required value`]);
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidConfiguration([`${PATH}: Invalid value: ${JSON.stringify(value)}: must be an object`]);
  const raw = value as Record<string, unknown>;
  const errors: string[] = [];
  const read: Record<string, unknown> = {};
  for (const [field, fieldValue] of Object.entries(raw)) {
    const reader = FIELDS[field];
    if (reader) read[field] = reader(fieldValue, `${PATH}.${field}`, errors);
    else errors.push(`unknown field "${PATH}.${field}"`);
  }
  if (!('kind' in raw)) FIELDS.kind(undefined, `${PATH}.kind`, errors);
  if (errors.length > 0) throw invalidConfiguration(errors);
  return {
    instanceType: (read.instanceType as string | undefined) ?? DEFAULT_INSTANCE_TYPE,
    region: (read.region as string | undefined) ?? DEFAULT_REGION,
    zone: (read.zone as string | undefined) ?? DEFAULT_ZONE,
    ...(read.image === undefined ? {} : { image: read.image as string }),
    ...(read.osImage === undefined ? {} : { osImage: read.osImage as string }),
    bootDelaySeconds: (read.bootDelaySeconds as number | undefined) ?? 0,
    neverReady: (read.neverReady as boolean | undefined) ?? false,
    ...(read.notReadyAfterSeconds === undefined ? {} : { notReadyAfterSeconds: read.notReadyAfterSeconds as number }),
    failToJoin: (read.failToJoin as boolean | undefined) ?? false,
  };
}

function optionalString(raw: unknown, path: string, errors: string[]): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be a non-empty string`);
    return undefined;
  }
  return raw;
}

function optionalInteger(raw: unknown, path: string, min: number, errors: string[]): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be an integer`);
    return undefined;
  }
  if (raw < min) {
    errors.push(`${path}: Invalid value: ${raw}: must be greater than or equal to ${min}`);
    return undefined;
  }
  return raw;
}

function optionalBoolean(raw: unknown, path: string, errors: string[]): boolean | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'boolean') {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be a boolean`);
    return undefined;
  }
  return raw;
}
