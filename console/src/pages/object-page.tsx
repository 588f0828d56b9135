// The page of one object: a live watch of just that object (fieldSelector on its name), a Details tab and a YAML
// tab (…/yaml). Pages for particular kinds pass their own details.
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import type { KubeObject } from '../../../operators/runtime/watcher.ts';
import { singleObjectQuery, type ApiResource } from '../api/resources.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { useNow, useWatchedList } from '../hooks/api.tsx';
import { formatAge } from '../lib/format.ts';

// The YAML tab brings CodeMirror and the yaml package (half the bundle): loaded when first opened, not at first paint.
const ResourceYaml = lazy(() => import('../components/resource-yaml.tsx'));

export interface ObjectPageProps<T extends KubeObject> {
  readonly resource: ApiResource;
  readonly namespace?: string;
  readonly name: string;
  readonly tab: 'details' | 'yaml';
  /** The list page, for the breadcrumb. */
  readonly listPath: string;
  readonly listTitle: string;
  /** This object's page, e.g. /machinesets/ns/name; the YAML tab is `${basePath}/yaml`. */
  readonly basePath: string;
  readonly details?: (obj: T) => ReactNode;
}

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

function Metadata({ obj }: { obj: KubeObject & { metadata?: { creationTimestamp?: string } } }) {
  const now = useNow();
  const labels = Object.entries(obj.metadata?.labels ?? {});
  return (
    <dl className="details">
      <dt>Name</dt><dd>{obj.metadata?.name}</dd>
      {obj.metadata?.namespace && <><dt>Namespace</dt><dd>{obj.metadata.namespace}</dd></>}
      <dt>Created</dt><dd>{obj.metadata?.creationTimestamp} ({formatAge(obj.metadata?.creationTimestamp, now)} ago)</dd>
      <dt>Labels</dt>
      <dd>{labels.length === 0 ? 'none' : <ul className="labels">{labels.map(([k, v]) => <li key={k}><code>{v ? `${k}=${v}` : k}</code></li>)}</ul>}</dd>
    </dl>
  );
}

export function ConditionsTable({ conditions }: { conditions: readonly Condition[] | undefined }) {
  if (!conditions || conditions.length === 0) return null;
  return (
    <table className="plain" aria-label="Conditions">
      <thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Last transition</th></tr></thead>
      <tbody>{conditions.map((c) => <tr key={c.type}><td>{c.type}</td><td>{c.status}</td><td>{c.reason}</td><td>{c.message}</td><td>{c.lastTransitionTime}</td></tr>)}</tbody>
    </table>
  );
}

/** Name, namespace, age, labels and conditions: what every kind has. */
export function DefaultDetails({ obj }: { obj: KubeObject }) {
  const status = (obj as { status?: { conditions?: Condition[] } }).status;
  return (
    <>
      <Metadata obj={obj} />
      <h2>Conditions</h2>
      <ConditionsTable conditions={status?.conditions} />
    </>
  );
}

export function ObjectPage<T extends KubeObject>(props: ObjectPageProps<T>) {
  const { resource, name, tab } = props;
  const [, navigate] = useLocation();
  const state = useWatchedList<T>({ resource, namespace: props.namespace, query: singleObjectQuery(name) });
  const obj = state.items[0];
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb"><Link href={props.listPath}>{props.listTitle}</Link> › {name}</nav>
      <h1>{resource.kind} {name}</h1>
      <div className="tabs" role="tablist">
        <Link href={props.basePath} role="tab" aria-selected={tab === 'details'}>Details</Link>
        <Link href={`${props.basePath}/yaml`} role="tab" aria-selected={tab === 'yaml'}>YAML</Link>
      </div>
      <ErrorBanner error={state.error} />
      {!state.synced && !state.error && <p className="loading">Loading…</p>}
      {state.synced && !obj && <p className="empty">{resource.kind} {name} does not exist{props.namespace ? ` in namespace ${props.namespace}` : ''}.</p>}
      {obj && tab === 'yaml' && (
        <Suspense fallback={<p className="loading">Loading editor…</p>}>
          <ResourceYaml resource={resource} object={obj} onDone={() => navigate(props.basePath)} />
        </Suspense>
      )}
      {obj && tab === 'details' && (props.details ? props.details(obj) : <DefaultDetails obj={obj} />)}
    </>
  );
}
