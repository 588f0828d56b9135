// What went wrong while applying a payload, and how much it matters (§3.4), after pkg/payload/task.go UpdateError
// and sync_worker.go summarizeTaskGraphErrors. The effect decides what status says:
//   Fail               Failing=True at once
//   FailAfterInterval  Failing only after the operator has been in this state for the degraded grace (40 min)
//   None               progress ("waiting on X"); SlowClusterOperator (Failing=Unknown) after the slow threshold
//   Report             shown, never blocks the node it came from
import { statusCodeOf, statusReasonOf } from '../../runtime/errors.ts';
import { describeTask, type Task } from '../task-graph/graph.ts';

export type UpdateEffect = 'None' | 'Fail' | 'FailAfterInterval' | 'Report';

export interface UpdateErrorInit {
  readonly effect?: UpdateEffect;
  readonly reason: string;
  readonly message: string;
  /** The reason when several ClusterOperators fail alike ("ClusterOperatorsNotAvailable"). */
  readonly pluralReason?: string;
  /** The message when several fail alike, with %s for the names ("Cluster operators %s are not available"). */
  readonly pluralMessageFormat?: string;
  /** The ClusterOperator (or workload) the error is about. */
  readonly name?: string;
  readonly names?: readonly string[];
  readonly task?: Task;
  readonly cause?: unknown;
}

export class UpdateError extends Error {
  readonly effect: UpdateEffect;
  readonly reason: string;
  readonly pluralReason: string | undefined;
  readonly pluralMessageFormat: string | undefined;
  readonly names: readonly string[];
  readonly task: Task | undefined;

  constructor(init: UpdateErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UpdateError';
    this.effect = init.effect ?? 'Fail';
    this.reason = init.reason;
    this.pluralReason = init.pluralReason;
    this.pluralMessageFormat = init.pluralMessageFormat;
    this.names = init.names ?? (init.name ? [init.name] : []);
    this.task = init.task;
  }

  /** The names joined, as the messages use them ("machine-api, network"). */
  get subject(): string {
    return this.names.join(', ');
  }

  withTask(task: Task): UpdateError {
    return new UpdateError({ ...this.#init(), task });
  }

  #init(): UpdateErrorInit {
    return {
      effect: this.effect, reason: this.reason, message: this.message, pluralReason: this.pluralReason,
      pluralMessageFormat: this.pluralMessageFormat, names: this.names, task: this.task, cause: this.cause,
    };
  }
}

/** True for a ClusterOperator gate error, which summaries condense by reason. */
export function isClusterOperatorError(err: unknown): err is UpdateError {
  return err instanceof UpdateError && err.task?.manifest.object.kind === 'ClusterOperator' && err.pluralMessageFormat !== undefined;
}

/**
 * The UpdateError for an API failure that outlived its retries (task.go reasonForPayloadSyncError): the reason
 * names the kind of failure, the message the task and a hint.
 */
export function updateErrorForApiFailure(task: Task, err: unknown): UpdateError {
  if (err instanceof UpdateError) return err.task ? err : err.withTask(task);
  const [reason, hint] = reasonForApiFailure(err);
  // The API's own message stays in `cause` (and the log): status carries the hint, as the CVO's does.
  return new UpdateError({ reason, message: `Could not update ${describeTask(task)}${hint ? `: ${hint}` : ''}`, task, cause: err });
}

function reasonForApiFailure(err: unknown): [string, string] {
  const code = statusCodeOf(err);
  const reason = statusReasonOf(err);
  if (err instanceof NoKindMatchError) return ['UpdatePayloadResourceTypeMissing', 'the server does not recognize this resource, check extension API servers'];
  switch (code) {
    case 404:
      return ['UpdatePayloadResourceNotFound', 'resource may have been deleted'];
    case 409:
      return reason === 'AlreadyExists'
        ? ['UpdatePayloadResourceNotFound', 'resource may have been deleted']
        : ['UpdatePayloadResourceConflict', 'someone else is updating this resource'];
    case 422:
      return ['UpdatePayloadResourceInvalid', 'the object is invalid, possibly due to local cluster configuration'];
    case 401:
      return ['UpdatePayloadClusterUnauthorized', 'could not authenticate to the server'];
    case 403:
      return ['UpdatePayloadResourceForbidden', 'the server has forbidden updates to this resource'];
    case 429:
      return ['UpdatePayloadClusterOverloaded', 'the server is overloaded and is not accepting updates'];
    case 500:
      return ['UpdatePayloadClusterError', 'the server is reporting an internal error'];
    case 503:
    case 504:
      return ['UpdatePayloadClusterDown', 'the server is down or not responding'];
    default:
      return code === undefined && isConnectionError(err)
        ? ['UpdatePayloadClusterDown', 'the server is down or not responding']
        : ['UpdatePayloadFailed', ''];
  }
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|UND_ERR_)/.test(code);
}

/** The apiVersion/kind is not served (meta.NoKindMatchError): a CRD is missing or not yet established. */
export class NoKindMatchError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`no matches for kind "${kind}" in version "${apiVersion}"`);
    this.name = 'NoKindMatchError';
  }
}

/** The short human summary of a reason (task.go SummaryForReason), for "Unable to apply 4.2.0: <summary>". */
export function summaryForReason(reason: string, name: string): string {
  const named = (withName: string, without: string) => (name ? withName : without);
  switch (reason) {
    case 'UpdatePayloadResourceNotFound':
    case 'UpdatePayloadResourceConflict':
      return 'some resources could not be updated';
    case 'UpdatePayloadClusterDown':
      return 'the control plane is down or not responding';
    case 'UpdatePayloadClusterError':
      return 'the control plane is reporting an internal error';
    case 'UpdatePayloadClusterOverloaded':
      return 'the control plane is overloaded and is not accepting updates';
    case 'UpdatePayloadClusterUnauthorized':
      return 'could not authenticate to the server';
    case 'UpdatePayloadRetrievalFailed':
      return 'could not download the update';
    case 'UpdatePayloadResourceForbidden':
      return 'the server is rejecting updates';
    case 'UpdatePayloadResourceTypeMissing':
      return 'a required extension is not available to update';
    case 'UpdatePayloadResourceInvalid':
      return 'some cluster configuration is invalid';
    case 'UpdatePayloadIntegrity':
      return 'the contents of the update are invalid';
    case 'ImageVerificationFailed':
      return 'the image may not be safe to use';
    case 'UpgradePreconditionCheckFailed':
      return 'it may not be safe to apply this update';
    case 'ClusterOperatorDegraded':
      return named(`the cluster operator ${name} is degraded`, 'a cluster operator is degraded');
    case 'ClusterOperatorNotAvailable':
      return named(`the cluster operator ${name} is not available`, 'a cluster operator is not available');
    case 'ClusterOperatorsNotAvailable':
      return 'some cluster operators are not available';
    case 'ClusterOperatorNoVersions':
      return named(`the cluster operator ${name} does not declare expected versions`, 'a cluster operator does not declare expected versions');
    case 'WorkloadNotAvailable':
      return named(`the workload ${name} has not yet successfully rolled out`, 'a workload has not yet rolled out');
    case 'WorkloadNotProgressing':
      return named(`the workload ${name} cannot roll out`, 'a workload cannot roll out');
  }
  if (reason.startsWith('UpdatePayload')) return 'the update could not be applied';
  return name ? `${name} has an unknown error: ${reason}` : `an unknown error has occurred: ${reason}`;
}

const EFFECT_RANK: Readonly<Record<UpdateEffect, number>> = { Report: 0, None: 1, FailAfterInterval: 2, Fail: 3 };

/**
 * Reduces the errors of one attempt to one (summarizeTaskGraphErrors): ClusterOperator errors of one reason become
 * one plural error naming them all, with the most severe effect among them; several remaining errors become
 * MultipleErrors with a sorted, de-duplicated bulleted message. Undefined when there is nothing to report.
 */
export function summarizeErrors(errors: readonly unknown[]): UpdateError | Error | undefined {
  if (errors.length === 0) return undefined;
  const condensed: Array<UpdateError | Error> = [];
  const byReason = new Map<string, UpdateError[]>();
  for (const err of errors) {
    if (isClusterOperatorError(err)) {
      const list = byReason.get(err.reason) ?? [];
      list.push(err);
      byReason.set(err.reason, list);
    } else condensed.push(err instanceof Error ? err : new Error(String(err)));
  }
  for (const reason of [...byReason.keys()].sort()) {
    const list = byReason.get(reason)!;
    if (list.length === 1) {
      condensed.push(list[0]);
      continue;
    }
    const names = list.flatMap((e) => e.names).sort();
    const effect = list.map((e) => e.effect).reduce((a, b) => (EFFECT_RANK[b] > EFFECT_RANK[a] ? b : a), 'Report' as UpdateEffect);
    const first = list[0];
    condensed.push(new UpdateError({
      effect,
      reason: first.pluralReason ?? first.reason,
      pluralReason: first.pluralReason,
      pluralMessageFormat: first.pluralMessageFormat,
      message: (first.pluralMessageFormat ?? '%s').replace('%s', names.join(', ')),
      names,
      cause: new AggregateError(list),
    }));
  }
  if (condensed.length === 1) return condensed[0];
  const messages = [...new Set(condensed.map((e) => e.message))].sort();
  if (messages.length === 1) return condensed[0];
  return new UpdateError({
    reason: 'MultipleErrors',
    message: `Multiple errors are preventing progress:\n* ${messages.join('\n* ')}`,
    cause: new AggregateError(condensed),
  });
}
