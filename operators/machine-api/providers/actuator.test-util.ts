// Assertions the providers' actuator tests share: what a call rejected with, and "this is a transient error".
import assert from 'node:assert/strict';
import { RequeueAfter, TerminalError } from '../../runtime/errors.ts';

/** The value `promise` rejected with; fails the test if it resolved. */
export async function rejectsWith(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

/** An error the controller retries with backoff: neither terminal nor a requested wait. */
export function assertTransient(err: unknown): asserts err is Error {
  assert.ok(err instanceof Error && !(err instanceof TerminalError) && !(err instanceof RequeueAfter), String(err));
}
