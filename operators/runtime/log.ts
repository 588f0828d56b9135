// Structured logs: one JSON object per line with `ts`, `level`, `logger` and `msg` first, then the
// fields. Keys are lowerCamel, except object references, which are keyed by their Kind and given as
// "ns/name" (`{ MachineSet: "openshift-machine-api/workers" }`), the controller-runtime/cluster-api
// convention (shared/STYLE.md "Naming"), so one grep finds every line about an object.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines carry `fields` too; `name` is appended to the logger name with a dot. */
  child(name: string | undefined, fields?: LogFields): Logger;
}

export interface LoggerOptions {
  /** Logger name, e.g. "machine-controller". */
  readonly name?: string;
  /** Lines below this level are dropped. Default "info". */
  readonly level?: LogLevel;
  /** Where a finished line goes. Default: stdout. */
  readonly sink?: (line: string) => void;
  readonly now?: () => Date;
}

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? ((line: string) => process.stdout.write(line + '\n'));
  return makeLogger(options.name, {}, LEVEL_ORDER[options.level ?? 'info'], sink, options.now ?? (() => new Date()));
}

/** A logger that drops everything: the default for components built without one (and for tests). */
export const discardLogger: Logger = createLogger({ sink: () => {} });

function makeLogger(
  name: string | undefined,
  bound: LogFields,
  minLevel: number,
  sink: (line: string) => void,
  now: () => Date,
): Logger {
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVEL_ORDER[level] < minLevel) return;
    const line: Record<string, unknown> = { ts: now().toISOString(), level, msg };
    if (name !== undefined) line.logger = name;
    for (const [key, value] of Object.entries({ ...bound, ...fields })) line[key] = logValue(value);
    sink(JSON.stringify(line));
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (childName, fields) =>
      makeLogger(
        childName === undefined ? name : name === undefined ? childName : `${name}.${childName}`,
        { ...bound, ...fields },
        minLevel,
        sink,
        now,
      ),
  };
}

// Errors lose their message under JSON.stringify ("{}"), and Kubernetes objects would flood the line:
// both are reduced to what a reader needs.
function logValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (isObjectWithMetadata(value)) return objectKey(value);
  return value;
}

interface HasMetadata {
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}

function isObjectWithMetadata(value: unknown): value is HasMetadata {
  return typeof value === 'object' && value !== null && typeof (value as { metadata?: unknown }).metadata === 'object';
}

/** "ns/name" for namespaced objects, "name" for cluster-scoped ones (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: { readonly metadata?: { readonly name?: string; readonly namespace?: string } }): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** The log field for an object: `{ [kind]: "ns/name" }`. */
export function kindRef(
  kind: string,
  obj: { readonly namespace?: string; readonly name: string },
): Record<string, string> {
  return { [kind]: obj.namespace ? `${obj.namespace}/${obj.name}` : obj.name };
}
