// The local cloud's wire types (README.md in this folder is the contract). Modelled on EC2's
// RunInstances/DescribeInstances/TerminateInstances: an idempotency token on create, tag filters on describe,
// and the pending → running → shutting-down → terminated state machine.

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';

/** How the instance is sized and placed, and how its hollow node behaves (failure injection for tests). */
export interface LocalInstanceSpec {
  /** A key of INSTANCE_TYPES. */
  readonly instanceType: string;
  readonly region: string;
  readonly zone: string;
  /**
   * The image the instance boots, from the cloud's catalogue (as an AMI in a region): its node reports the image's
   * osImage, kubelet and runtime versions. Absent: DEFAULT_OS_IMAGE with the hollow kubelet's own versions.
   */
  readonly image?: string;
  /** The node's status.nodeInfo.osImage, overriding the image's (a test knob); DEFAULT_OS_IMAGE when both are absent. */
  readonly osImage?: string;
  /** Seconds the instance stays pending before it runs. Default 0. */
  readonly bootDelaySeconds?: number;
  /** The node registers with Ready=False and never becomes Ready. */
  readonly neverReady?: boolean;
  /** The node goes Ready=Unknown (its kubelet stops posting) this many seconds after it started running. */
  readonly notReadyAfterSeconds?: number;
  /** The instance runs but no Node ever registers. */
  readonly failToJoin?: boolean;
}

export interface Instance {
  /** "li-" and 16 hex digits. */
  readonly id: string;
  readonly clientToken: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: InstanceState;
  /** "local:///<name>". */
  readonly providerID: string;
  readonly privateIp: string;
  /** The name its node registers under: the instance name. */
  readonly hostname: string;
  /** RFC 3339. */
  readonly launchTime: string;
  readonly spec: LocalInstanceSpec;
  /** What spec.image boots, resolved from the catalogue at create (a later catalogue change does not move it). */
  readonly bootImage?: LocalImage;
}

/** An image of the catalogue: what a node booted from it reports in status.nodeInfo. */
export interface LocalImage {
  readonly osImage: string;
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
}

export interface CreateInstanceRequest {
  /** Idempotency key (the Machine UID): a second create with the same token returns the first instance. */
  readonly clientToken: string;
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly spec: LocalInstanceSpec;
}

/** The error body of every non-2xx answer: `{ "error": CloudErrorBody }`. */
export interface CloudErrorBody {
  /** EC2-style code, e.g. "InvalidParameterValue", "InvalidInstanceID.NotFound", "RequestLimitExceeded". */
  readonly code: string;
  readonly message: string;
  /** For invalid parameters: the request field at fault, e.g. "spec.bootDelaySeconds". */
  readonly field?: string;
}

/** A failed cloud operation, carrying the HTTP status it is answered with. */
export class CloudError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'CloudError';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  toBody(): CloudErrorBody {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

/** The instance types the local cloud offers, with what their nodes report as capacity. */
export const INSTANCE_TYPES: Readonly<Record<string, { readonly cpu: number; readonly memoryMiB: number }>> = {
  'local.small': { cpu: 2, memoryMiB: 8 * 1024 },
  'local.medium': { cpu: 4, memoryMiB: 16 * 1024 },
  'local.large': { cpu: 8, memoryMiB: 32 * 1024 },
  'local.xlarge': { cpu: 16, memoryMiB: 64 * 1024 },
};

/** The osImage a node reports when the spec names none. */
export const DEFAULT_OS_IMAGE = 'Red Hat Enterprise Linux CoreOS 4.1.0';
