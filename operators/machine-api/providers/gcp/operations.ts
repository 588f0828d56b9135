// Waiting for a zonal Operation the documented way: zoneOperations.wait, which GCE holds open until the Operation is
// DONE or about two minutes have passed, instead of polling zoneOperations.get (cloud.google.com/compute/docs/api/
// how-tos/api-requests-responses "Handling API responses"). One wait call per Operation is typical: inserts and
// deletes take seconds to a minute.
import type { ZoneOperationsClient } from '@google-cloud/compute';
import { callOptions, type Operation } from './client.ts';
import { isDeadlineExceeded } from './errors.ts';

export function isDone(op: Operation): boolean {
  return op.status === 'DONE';
}

/**
 * `op` once it is DONE, or as it last stood when `waitMs` ran out (the caller asks again later). Operation
 * failures are in the answer (error.errors[]), not thrown; a failed wait call's error is thrown as it came.
 */
export async function awaitOperation(client: ZoneOperationsClient, project: string, zone: string, op: Operation, waitMs: number, signal: AbortSignal): Promise<Operation> {
  const deadline = Date.now() + waitMs;
  let current = op;
  while (!isDone(current)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      [current] = await client.wait({ project, zone, operation: current.name ?? '' }, callOptions(signal, remaining));
    } catch (err) {
      signal.throwIfAborted();
      // Our own deadline cut the long poll short: the Operation is still running.
      if (isDeadlineExceeded(err)) break;
      throw err;
    }
  }
  return current;
}
