// Patch engines of the embedded API server (shared/reference/apiserver.md §8, §8.1, §4.9). The handlers
// pick one by Content-Type; fieldValidation, dryRun and the create/update pipeline stay with the caller.
export { applyMergePatch } from './merge-patch.ts';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';
export { serverSideApply, BEFORE_FIRST_APPLY_MANAGER, type ApplyInput } from './server-side-apply.ts';
export { updateManagedFieldsForUpdate, isManagedFieldsReset, type UpdateInput } from './managed-fields.ts';
