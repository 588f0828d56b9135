// The instances of an EC2 endpoint (moto_server on the dev cluster) as hollow-node instances. moto has no event
// stream (no EventBridge, no CloudTrail), so this polls DescribeInstances for running instances, once per
// `pollMs` while someone listens: one call per interval for the whole fleet, whatever its size.
//
// Point it at moto itself, not at the fault proxy in front of it (test/fakes/aws/ec2-proxy.ts): the kubelets are
// not the operator, and the operator's injected faults and call counts must not include their reads.
import { EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { describeInstances, type AwsCredentials } from '../../operators/machine-api/providers/aws/client.ts';
import { staticInstanceTypeCapacity } from '../../operators/machine-api/providers/aws/instance-types.ts';
import { DEFAULT_OS_IMAGE } from '../local-cloud/types.ts';
import type { HollowInstance } from './node-object.ts';
import { SnapshotSource } from './snapshot-source.ts';

/** How often DescribeInstances is asked, in ms: a kubelet starts within this of its instance running. */
export const DEFAULT_EC2_POLL_MS = 1_000;
/** moto accepts any credentials; these only make the SDK sign its requests. */
const EMULATOR_CREDENTIALS: AwsCredentials = { accessKeyId: 'hollow-nodes', secretAccessKey: 'hollow-nodes' };

export interface Ec2SourceOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials?: AwsCredentials;
  readonly pollMs?: number;
  /** Told about a failed poll; the running set stays as last read (a blip must not stop kubelets). */
  readonly onError?: (err: unknown) => void;
}

interface Poll {
  readonly ec2: EC2Client;
  readonly abort: AbortController;
  timer?: NodeJS.Timeout;
}

export class Ec2InstanceSource extends SnapshotSource {
  readonly #options: Ec2SourceOptions;
  #poll: Poll | undefined;

  constructor(options: Ec2SourceOptions) {
    super();
    this.#options = options;
  }

  /** Reads the instances now, without waiting for the next poll (tests; the first read before listening). */
  async refresh(signal: AbortSignal = AbortSignal.timeout(10_000)): Promise<void> {
    const ec2 = this.#poll?.ec2 ?? this.#client();
    try {
      await this.#read(ec2, signal);
    } finally {
      if (ec2 !== this.#poll?.ec2) ec2.destroy();
    }
  }

  protected override startObserving(): void {
    this.#poll = { ec2: this.#client(), abort: new AbortController() };
    this.#loop(this.#poll);
  }

  protected override stopObserving(): void {
    const poll = this.#poll;
    this.#poll = undefined;
    poll?.abort.abort();
    clearTimeout(poll?.timer);
    poll?.ec2.destroy();
  }

  #client(): EC2Client {
    const { endpoint, region, credentials } = this.#options;
    return new EC2Client({ endpoint, region, credentials: credentials ?? EMULATOR_CREDENTIALS, maxAttempts: 1 });
  }

  async #read(ec2: EC2Client, signal: AbortSignal): Promise<void> {
    const instances = await describeInstances(ec2, [{ Name: 'instance-state-name', Values: ['running'] }], signal);
    this.update(instances.flatMap((i) => hollowInstanceOfEc2(i) ?? []));
  }

  #loop(poll: Poll): void {
    this.#read(poll.ec2, poll.abort.signal)
      .catch((err: unknown) => {
        if (!poll.abort.signal.aborted) this.#options.onError?.(err);
      })
      .finally(() => {
        if (this.#poll === poll) poll.timer = setTimeout(() => this.#loop(poll), this.#options.pollMs ?? DEFAULT_EC2_POLL_MS);
      });
  }
}

/**
 * A running EC2 instance as its kubelet registers it: OpenShift's AWS nodes are named by the private DNS name
 * (`ip-10-0-1-4.ec2.internal`), and the providerID is `aws:///<zone>/<instance-id>` (the provider's observe()).
 * Undefined for an instance without a private address yet.
 */
export function hollowInstanceOfEc2(instance: Instance): HollowInstance | undefined {
  const { InstanceId: id, PrivateDnsName: nodeName, PrivateIpAddress: internalIP } = instance;
  if (!id || !nodeName || !internalIP) return undefined;
  const zone = instance.Placement?.AvailabilityZone ?? '';
  const instanceType = instance.InstanceType ?? '';
  const size = staticInstanceTypeCapacity(instanceType) ?? { vCPU: 2, memoryMb: 8192 };
  return {
    id,
    nodeName,
    providerID: `aws:///${zone}/${id}`,
    internalIP,
    instanceType,
    // us-east-1a → us-east-1
    region: zone.replace(/[a-z]$/, ''),
    zone,
    cpu: size.vCPU,
    memoryMiB: size.memoryMb,
    osImage: DEFAULT_OS_IMAGE,
    runningSince: instance.LaunchTime?.getTime() ?? Date.now(),
    neverReady: false,
    failToJoin: false,
  };
}
