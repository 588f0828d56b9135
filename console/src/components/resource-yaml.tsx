// The YAML tab of any object, as in OpenShift's console: edit, Save (a PUT of the whole object, so a stale
// resourceVersion is refused with 409 rather than overwriting someone else's change), Reload (take the server's
// current version), Cancel (drop the edits; Escape in the editor), Download. The server's answer is shown as is:
// a schema error is the 422 Status message with its field causes. Loaded lazily with the editor (object-page.tsx).
import { useEffect, useState } from 'react';
import { parseDocument, stringify } from 'yaml';
import type { KubeObject } from '../../../operators/runtime/watcher.ts';
import { objectPath, type ApiResource } from '../api/resources.ts';
import { useApi } from '../hooks/api.tsx';
import { ErrorBanner } from './error-banner.tsx';
import { YamlEditor } from './yaml-editor.tsx';

/** As `kubectl get -o yaml` shows it: managedFields are bookkeeping, not something to edit by hand. */
export function toEditableYaml(obj: KubeObject): string {
  const { managedFields: _ignored, ...metadata } = (obj.metadata ?? {}) as Record<string, unknown>;
  return stringify({ ...obj, metadata });
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.yaml`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export interface ResourceYamlProps {
  readonly resource: ApiResource;
  /** The live object from the page's watch. */
  readonly object: KubeObject;
  /** Called after Cancel, e.g. to go back to the details tab. */
  readonly onDone?: () => void;
}

export default function ResourceYaml({ resource, object, onDone }: ResourceYamlProps) {
  const api = useApi();
  const name = object.metadata?.name ?? '';
  const [loaded, setLoaded] = useState(() => ({ yaml: toEditableYaml(object), resourceVersion: object.metadata?.resourceVersion }));
  const [text, setText] = useState(loaded.yaml);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const stale = object.metadata?.resourceVersion !== loaded.resourceVersion;
  const dirty = text !== loaded.yaml;

  // Unedited, the editor follows the object live; once edited, it waits for Reload and says the object changed.
  useEffect(() => {
    if (stale && !dirty) reload();
  }, [object]);

  function reload(): void {
    const next = { yaml: toEditableYaml(object), resourceVersion: object.metadata?.resourceVersion };
    setLoaded(next);
    setText(next.yaml);
    setError(undefined);
  }

  async function save(): Promise<void> {
    setNotice(undefined);
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      setError(new Error(`The YAML is not valid: ${doc.errors[0].message}`));
      return;
    }
    setSaving(true);
    try {
      const body = doc.toJS() as KubeObject;
      const saved = await api.request<KubeObject>(objectPath(resource, body.metadata?.namespace ?? object.metadata?.namespace, body.metadata?.name ?? name), { method: 'PUT', body });
      const next = { yaml: toEditableYaml(saved), resourceVersion: saved.metadata?.resourceVersion };
      setLoaded(next);
      setText(next.yaml);
      setError(undefined);
      setNotice(`${name} has been updated to version ${saved.metadata?.resourceVersion ?? ''}`);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  }

  function cancel(): void {
    setText(loaded.yaml);
    setError(undefined);
    setNotice(undefined);
    onDone?.();
  }

  return (
    <section className="yaml-panel" aria-label="YAML">
      <YamlEditor doc={text} onChange={setText} onSave={() => void save()} onCancel={cancel} label={`YAML of ${resource.kind} ${name}`} />
      {stale && dirty && <div className="alert alert-warning" role="status">This object has been updated. Reload to see the new version; saving now would be refused.</div>}
      <ErrorBanner error={error} title="Save failed" />
      {notice && <div className="alert alert-success" role="status">{notice}</div>}
      <div className="actions">
        <button type="button" className="primary" onClick={() => void save()} disabled={saving}>Save</button>
        <button type="button" onClick={reload}>Reload</button>
        <button type="button" onClick={cancel}>Cancel</button>
        <button type="button" onClick={() => download(name, text)}>Download</button>
      </div>
    </section>
  );
}
