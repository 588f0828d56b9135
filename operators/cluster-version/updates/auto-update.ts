// Opt-in automatic updates: follow the channel to the newest recommended version, one update at a time, and
// start one only inside a maintenance window. OpenShift has only `--enable-auto-update`, which sets
// desiredUpdate to the newest availableUpdates entry at any time (§3.9); maintenance windows are what users ask
// for and peers have (§8 #11: SUC `window`, FLUO/kured reboot windows, Nebraska office hours).
//
// Where the policy lives: the ClusterVersion annotation `machine-fleet.io/auto-update`, a JSON document
// (README.md in this folder). An annotation leaves the OpenShift ClusterVersion schema untouched, sits on the
// object the CVO already watches (a change is seen at once, with no second informer) and is guarded by the
// same RBAC as spec.desiredUpdate, which it ends up writing.
//
// The decision is pure: clock, policy, current version, the poller's lists and Upgradeable come in; the controller
// writes spec.desiredUpdate {version, image} for an update, or requeues at `nextWindowStart` for a wait, and says
// which in the AutoUpdateWaiting condition (autoUpdateCondition), with an Event when that changes.
import type { ConditionalUpdate, GraphRelease } from '../contracts.ts';
import { compareSemVer, parseSemVer } from './semver.ts';

export const AUTO_UPDATE_ANNOTATION = 'machine-fleet.io/auto-update';

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Longest window, in minutes: a week, so a window never overlaps its own next occurrence. */
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;

export interface MaintenanceWindow {
  /** The days a window starts on (UTC). A window that crosses midnight belongs to the day it starts. */
  readonly days: readonly Weekday[];
  /** Start time of day, "HH:MM", 24-hour. */
  readonly start: string;
  readonly durationMinutes: number;
  /** Only "UTC": no daylight-saving jumps, so a window is never skipped or doubled. */
  readonly timeZone: 'UTC';
}

export interface AutoUpdatePolicy {
  readonly enabled: boolean;
  readonly maintenanceWindows: readonly MaintenanceWindow[];
}

export type PolicyParseResult =
  | { readonly ok: true; /** Undefined when the annotation is absent: automatic updates are off. */ readonly policy: AutoUpdatePolicy | undefined }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Reads the policy from ClusterVersion annotations. Errors name the field, e.g.
 * `metadata.annotations[machine-fleet.io/auto-update].maintenanceWindows[0].start: "25:00" is not a time of day (HH:MM, 00:00-23:59)`.
 */
export function parseAutoUpdatePolicy(annotations: Readonly<Record<string, string>> | undefined): PolicyParseResult {
  const raw = annotations?.[AUTO_UPDATE_ANNOTATION];
  if (raw === undefined) return { ok: true, policy: undefined };
  const root = `metadata.annotations[${AUTO_UPDATE_ANNOTATION}]`;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    return { ok: false, errors: [`${root}: not valid JSON: ${(err as Error).message}`] };
  }
  const errors: string[] = [];
  if (!isObject(doc)) return { ok: false, errors: [`${root}: must be a JSON object like {"enabled":true,"maintenanceWindows":[…]}`] };
  unknownFields(doc, ['enabled', 'maintenanceWindows'], root, errors);
  if (typeof doc.enabled !== 'boolean') errors.push(`${root}.enabled: must be true or false`);
  const windows: MaintenanceWindow[] = [];
  const rawWindows = doc.maintenanceWindows;
  const windowsNeeded = '(automatic updates start only inside a window)';
  if (rawWindows === undefined) {
    if (doc.enabled === true) errors.push(`${root}.maintenanceWindows: required when enabled is true ${windowsNeeded}`);
  } else if (!Array.isArray(rawWindows)) {
    errors.push(`${root}.maintenanceWindows: must be an array`);
  } else {
    if (rawWindows.length === 0 && doc.enabled === true) {
      errors.push(`${root}.maintenanceWindows: at least one window is required when enabled is true ${windowsNeeded}`);
    }
    rawWindows.forEach((w: unknown, i: number) => {
      const window = parseWindow(w, `${root}.maintenanceWindows[${i}]`, errors);
      if (window) windows.push(window);
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: { enabled: doc.enabled as boolean, maintenanceWindows: windows } };
}

function parseWindow(w: unknown, path: string, errors: string[]): MaintenanceWindow | undefined {
  if (!isObject(w)) {
    errors.push(`${path}: must be an object like {"days":["Sat","Sun"],"start":"02:00","durationMinutes":240,"timeZone":"UTC"}`);
    return undefined;
  }
  const before = errors.length;
  unknownFields(w, ['days', 'start', 'durationMinutes', 'timeZone'], path, errors);
  const days = w.days === undefined ? [...WEEKDAYS] : parseDays(w.days, `${path}.days`, errors);
  if (typeof w.start !== 'string' || parseTimeOfDay(w.start) === undefined) {
    errors.push(`${path}.start: ${JSON.stringify(w.start)} is not a time of day (HH:MM, 00:00-23:59)`);
  }
  const d = w.durationMinutes;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_WINDOW_MINUTES) {
    errors.push(`${path}.durationMinutes: ${JSON.stringify(d)} must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES}`);
  }
  if (w.timeZone !== undefined && w.timeZone !== 'UTC') {
    errors.push(`${path}.timeZone: ${JSON.stringify(w.timeZone)} is not supported: only "UTC" (windows are kept free of daylight-saving jumps)`);
  }
  if (errors.length > before) return undefined;
  return { days, start: w.start as string, durationMinutes: d as number, timeZone: 'UTC' };
}

/** Day names ("Sat") and ranges ("Mon-Fri", wrapping "Fri-Mon"); "*" is every day. */
function parseDays(v: unknown, path: string, errors: string[]): Weekday[] {
  if (!Array.isArray(v) || v.length === 0) {
    errors.push(`${path}: must be a non-empty array of days such as ["Sat","Sun"] or ["Mon-Fri"]`);
    return [];
  }
  const days = new Set<number>();
  v.forEach((entry: unknown, i) => {
    const p = `${path}[${i}]`;
    if (entry === '*') return WEEKDAYS.forEach((_, d) => days.add(d));
    const [from, to, extra] = typeof entry === 'string' ? entry.split('-') : [];
    const a = WEEKDAYS.indexOf(from as Weekday);
    const b = to === undefined ? a : WEEKDAYS.indexOf(to as Weekday);
    if (typeof entry !== 'string' || extra !== undefined || a < 0 || b < 0) {
      errors.push(`${p}: ${JSON.stringify(entry)} is not a day (${WEEKDAYS.join(', ')}), a range such as "Mon-Fri", or "*"`);
      return;
    }
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  });
  return [...days].sort((a, b) => a - b).map((d) => WEEKDAYS[d]);
}

/** Minutes after midnight, or undefined. */
function parseTimeOfDay(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export type WindowState = { readonly open: true; readonly closesAt: Date } | { readonly open: false; readonly nextStart: Date | undefined };

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

/**
 * Whether `now` is inside one of the windows, and when it closes (the latest end among open windows), or else
 * when the next one opens. All in UTC, so the arithmetic is whole days and minutes.
 */
export function maintenanceWindowState(windows: readonly MaintenanceWindow[], now: Date): WindowState {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  let closesAt: number | undefined;
  let nextStart: number | undefined;
  for (const w of windows) {
    const startMinutes = parseTimeOfDay(w.start);
    if (startMinutes === undefined) continue; // parseAutoUpdatePolicy rejects these
    // Occurrences that started up to a week ago may still be open; one starts within the next week.
    for (let dayOffset = -7; dayOffset <= 7; dayOffset++) {
      const day = today + dayOffset * DAY_MS;
      if (!w.days.includes(WEEKDAYS[new Date(day).getUTCDay()])) continue;
      const start = day + startMinutes * MINUTE_MS;
      const end = start + w.durationMinutes * MINUTE_MS;
      if (start <= now.getTime() && now.getTime() < end) closesAt = Math.max(closesAt ?? end, end);
      else if (start > now.getTime()) nextStart = Math.min(nextStart ?? start, start);
    }
  }
  if (closesAt !== undefined) return { open: true, closesAt: new Date(closesAt) };
  return { open: false, nextStart: nextStart === undefined ? undefined : new Date(nextStart) };
}

export type AutoUpdateWaitReason =
  | 'Disabled'
  | 'NotAccepted'
  | 'Updating'
  | 'InvalidCurrentVersion'
  | 'NoEligibleUpdate'
  | 'NotUpgradeable'
  | 'ConditionalUpdateRisks'
  | 'OutsideMaintenanceWindow';

export type AutoUpdateDecision =
  | { readonly version: string; readonly image: string }
  | { readonly wait: string; readonly reason: AutoUpdateWaitReason; readonly nextWindowStart?: Date };

export interface AutoUpdateInput {
  readonly policy: AutoUpdatePolicy | undefined;
  /** The version the cluster runs (history's newest Completed entry). */
  readonly current: string;
  /** status.availableUpdates. */
  readonly updates: readonly GraphRelease[];
  /** status.conditionalUpdates: never taken automatically, whatever their Recommended status. */
  readonly conditionalUpdates: readonly ConditionalUpdate[];
  readonly now: Date;
  /** An update is being applied (history's head is Partial, or desiredUpdate differs from the running release). */
  readonly updating: boolean;
  /** ClusterVersion's Upgradeable condition: False keeps minor updates out, as the Upgradeable precondition would. */
  readonly upgradeable?: { readonly status: string; readonly reason?: string; readonly message?: string };
  /** The requested update was refused (ReleaseAccepted=False for it): `target` names it, `reason` is the step. */
  readonly refused?: { readonly target: string; readonly reason: string; readonly message: string };
}

/**
 * The next automatic update, or why there is none now.
 *
 * "One step at a time": one update runs to completion before the next is chosen (`updating`), and each
 * step goes to the newest recommended *direct* update (a single graph edge) within the same major version and
 * at most one minor ahead (x.y → x.y+1), the rule the CVO's GiantHop precondition enforces anyway. A target
 * two minors ahead is never taken even if the graph offers it; the cluster gets there through x.y+1.
 * While Upgradeable=False only patch updates are taken, since the Upgradeable precondition would refuse a minor
 * one. Conditional updates are never taken, even when evaluated as recommended: accepting a declared risk stays
 * an administrator's decision. Windows gate only the start: an update started inside a window runs to
 * completion, because the CVO has no safe pause point. A refused request waits for an administrator: retrying
 * it cannot help, and replacing it would hide why it was refused.
 */
export function nextAutomaticUpdate(input: AutoUpdateInput): AutoUpdateDecision {
  const { policy } = input;
  if (!policy?.enabled) {
    return { wait: `Automatic updates are disabled (set the ${AUTO_UPDATE_ANNOTATION} annotation to enable them)`, reason: 'Disabled' };
  }
  if (input.refused) {
    const { target, reason, message } = input.refused;
    return { wait: `The requested update to ${target} was not accepted (${reason}); automatic updates resume once spec.desiredUpdate is changed or cleared: ${message}`, reason: 'NotAccepted' };
  }
  if (input.updating) {
    return { wait: 'An update is in progress; the next automatic update is chosen after it completes', reason: 'Updating' };
  }
  const current = parseSemVer(input.current);
  if (!current) {
    return { wait: `The current version ${JSON.stringify(input.current)} is not a semantic version`, reason: 'InvalidCurrentVersion' };
  }
  const eligible = (releases: readonly GraphRelease[]) => releases
    .flatMap((u) => {
      const v = parseSemVer(u.version);
      return v ? [{ release: u, v }] : [];
    })
    .filter(({ v }) => compareSemVer(v, current) > 0 && v.major === current.major && v.minor <= current.minor + 1)
    .sort((a, b) => compareSemVer(b.v, a.v));
  const conditional = new Set(input.conditionalUpdates.flatMap((c) => [c.release.version, c.release.image]));
  const candidates = eligible(input.updates.filter((u) => !conditional.has(u.version) && !conditional.has(u.image)));
  const notUpgradeable = input.upgradeable?.status === 'False' ? input.upgradeable : undefined;
  const chosen = candidates.find(({ v }) => !notUpgradeable || v.minor === current.minor)?.release;
  if (!chosen) {
    const minor = candidates[0]?.release;
    if (minor && notUpgradeable) {
      const { reason = '', message = '' } = notUpgradeable;
      return { wait: `Update to ${minor.version} changes the minor version and the cluster is not upgradeable (Upgradeable=False, ${reason}): ${message}`, reason: 'NotUpgradeable' };
    }
    const [risky] = eligible(input.conditionalUpdates.map((c) => c.release));
    if (risky) {
      const risks = input.conditionalUpdates.find((c) => c.release.version === risky.release.version)?.risks.map((r) => r.name) ?? [];
      return {
        wait: `${risky.release.version} is offered only as a conditional update (risks: ${risks.join(', ')}); automatic updates never accept declared risks, an administrator can: npm run upgrade -- --to ${risky.release.version} --allow-not-recommended`,
        reason: 'ConditionalUpdateRisks',
      };
    }
    const skipped = input.updates.length > 0 ? ` (${input.updates.map((u) => u.version).join(', ')} not eligible: only newer versions within one minor of ${input.current} are taken)` : '';
    return { wait: `No recommended update from ${input.current}${skipped}`, reason: 'NoEligibleUpdate' };
  }
  const window = maintenanceWindowState(policy.maintenanceWindows, input.now);
  if (!window.open) {
    const next = window.nextStart ? ` opening at ${window.nextStart.toISOString()}` : '';
    return {
      wait: `Update to ${chosen.version} waits for the next maintenance window${next}`,
      reason: 'OutsideMaintenanceWindow',
      ...(window.nextStart ? { nextWindowStart: window.nextStart } : {}),
    };
  }
  return { version: chosen.version, image: chosen.image };
}

/**
 * The ClusterVersion condition that says what automatic updates are doing, where `oc adm upgrade`-style output
 * and the console show conditions (OpenShift's --enable-auto-update has none: it only logs). This project's own
 * condition, present only while the policy is enabled or invalid: True while an update is offered but not taken
 * (or none is), with the wait reason; False with Updating or UpdateStarted while one runs.
 */
export const AUTO_UPDATE_CONDITION = 'AutoUpdateWaiting';

export interface AutoUpdateConditionInput {
  readonly type: typeof AUTO_UPDATE_CONDITION;
  readonly status: 'True' | 'False';
  readonly reason: AutoUpdateWaitReason | 'InvalidPolicy' | 'OperatorNotEnabled' | 'UpdateStarted';
  readonly message: string;
}

/**
 * The condition when this operator does not follow the policy (it was started without --enable-auto-update):
 * an annotation that silently does nothing is the question an administrator would ask about. Undefined without one.
 */
export function autoUpdateNotFollowedCondition(annotations: Readonly<Record<string, string>> | undefined): AutoUpdateConditionInput | undefined {
  if (annotations?.[AUTO_UPDATE_ANNOTATION] === undefined) return undefined;
  return {
    type: AUTO_UPDATE_CONDITION,
    status: 'True',
    reason: 'OperatorNotEnabled',
    message: `The cluster-version operator runs without --enable-auto-update, so the ${AUTO_UPDATE_ANNOTATION} annotation has no effect`,
  };
}

/** The condition for a parsed policy and, when it parsed, the decision; undefined removes it. */
export function autoUpdateCondition(parsed: PolicyParseResult, decision: AutoUpdateDecision | undefined): AutoUpdateConditionInput | undefined {
  const type = AUTO_UPDATE_CONDITION;
  if (!parsed.ok) return { type, status: 'True', reason: 'InvalidPolicy', message: `The ${AUTO_UPDATE_ANNOTATION} annotation is ignored: ${parsed.errors.join('; ')}` };
  if (!parsed.policy?.enabled || !decision) return undefined;
  if ('version' in decision) return { type, status: 'False', reason: 'UpdateStarted', message: `Started an automatic update to ${decision.version}` };
  return { type, status: decision.reason === 'Updating' ? 'False' : 'True', reason: decision.reason, message: decision.wait };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Typos in a policy ("duration" for "durationMinutes") must not silently widen or close a window. */
function unknownFields(obj: Record<string, unknown>, known: readonly string[], path: string, errors: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) errors.push(`${path}.${key}: unknown field (known: ${known.join(', ')})`);
  }
}
