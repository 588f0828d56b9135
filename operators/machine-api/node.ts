// The parts of a core/v1 Node the Machine API decisions read. Structural, so both the plain JSON objects of the
// runtime cache and @kubernetes/client-node's V1Node (whose timestamps are Date) fit.

export interface NodeCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string | Date;
}

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
  readonly timeAdded?: string | Date;
}

export interface Node {
  readonly metadata?: {
    readonly name?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: string | Date;
  };
  readonly spec?: {
    readonly providerID?: string;
    readonly taints?: readonly NodeTaint[];
  };
  readonly status?: {
    readonly conditions?: readonly NodeCondition[];
    readonly addresses?: readonly { readonly type: string; readonly address: string }[];
  };
}

export function getNodeCondition(node: Node | undefined, type: string): NodeCondition | undefined {
  return node?.status?.conditions?.find((c) => c.type === type);
}

/** The Node's Ready condition is True (MAO machineset/util.go IsNodeReady). */
export function isNodeReady(node: Node | undefined): boolean {
  return getNodeCondition(node, 'Ready')?.status === 'True';
}
