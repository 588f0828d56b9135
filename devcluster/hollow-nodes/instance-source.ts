// Where hollow nodes learn which instances run: any cloud (the local one now, the emulated AWS/GCP/Azure ones
// later) adapts its instances to HollowInstance and says when one starts or stops running.
import type { LocalCloud } from '../local-cloud/cloud.ts';
import { DEFAULT_OS_IMAGE, INSTANCE_TYPES, type Instance } from '../local-cloud/types.ts';
import type { HollowInstance } from './node-object.ts';

export interface InstanceSource {
  /** The instances running now. */
  running(): HollowInstance[];
  /** `listener(instance, running)` hears every change from now on; the returned function unsubscribes. */
  subscribe(listener: (instance: HollowInstance, running: boolean) => void): () => void;
}

export function localCloudSource(cloud: LocalCloud): InstanceSource {
  return {
    running: () => cloud.list().filter((i) => i.state === 'running').map(hollowInstanceOf),
    subscribe: (listener) =>
      cloud.subscribe((event) => listener(hollowInstanceOf(event.instance), event.type !== 'removed' && event.instance.state === 'running')),
  };
}

export function hollowInstanceOf(instance: Instance): HollowInstance {
  const { spec } = instance;
  // The cloud validates the type on create; the fallback only covers a state file edited by hand.
  const size = INSTANCE_TYPES[spec.instanceType] ?? { cpu: 1, memoryMiB: 1024 };
  return {
    id: instance.id,
    nodeName: instance.hostname,
    providerID: instance.providerID,
    internalIP: instance.privateIp,
    instanceType: spec.instanceType,
    region: spec.region,
    zone: spec.zone,
    cpu: size.cpu,
    memoryMiB: size.memoryMiB,
    // spec.osImage overrides the image's (a test knob); the image brings its kubelet and runtime too.
    osImage: spec.osImage ?? instance.bootImage?.osImage ?? DEFAULT_OS_IMAGE,
    ...(instance.bootImage
      ? { kubeletVersion: instance.bootImage.kubeletVersion, containerRuntimeVersion: instance.bootImage.containerRuntimeVersion }
      : {}),
    runningSince: Date.parse(instance.launchTime) + (spec.bootDelaySeconds ?? 0) * 1000,
    neverReady: spec.neverReady ?? false,
    notReadyAfterSeconds: spec.notReadyAfterSeconds,
    failToJoin: spec.failToJoin ?? false,
  };
}
