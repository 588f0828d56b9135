// Cluster Settings, as in OpenShift's console: ClusterVersion `version` (watched live) gives the channel, the current
// version, the update status with its progress bar, the available updates with an Update button, and the history.
// Updating writes spec.desiredUpdate (version and image, §1.3 of shared/reference/cluster-version.md); the
// cluster-version operator does the rest and reports through status, which this page follows.
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { CLUSTER_VERSION_NAME, CLUSTER_VERSION_RESOURCE, objectPath, singleObjectQuery } from '../api/resources.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { useApi, useWatchedList } from '../hooks/api.tsx';
import { currentVersion, desiredUpdatePatch, sortReleases, updateStatus, type ClusterVersion } from '../lib/cluster-version.ts';
import { ConditionsTable } from './object-page.tsx';

const VERSION_PATH = objectPath(CLUSTER_VERSION_RESOURCE, undefined, CLUSTER_VERSION_NAME);

function ChannelForm({ cv }: { cv: ClusterVersion }) {
  const api = useApi();
  const current = cv.spec?.channel ?? '';
  const [channel, setChannel] = useState(current);
  const [error, setError] = useState<unknown>(undefined);
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    try {
      await api.request(VERSION_PATH, { method: 'PATCH', body: { spec: { channel } } });
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="inline" onSubmit={(e) => void submit(e)}>
      <label htmlFor="channel">Channel</label>
      <input id="channel" value={channel} onChange={(e) => setChannel(e.target.value)} placeholder="not set" />
      <button type="submit" disabled={channel === current}>Save channel</button>
      <ErrorBanner error={error} title="Changing the channel failed" />
    </form>
  );
}

function UpdateForm({ cv, updating }: { cv: ClusterVersion; updating: boolean }) {
  const api = useApi();
  const releases = sortReleases(cv.status?.availableUpdates);
  const [version, setVersion] = useState(releases[0]?.version ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  if (releases.length === 0) return <p data-testid="no-updates">No updates available{cv.spec?.channel ? ` in channel ${cv.spec.channel}` : ' (no channel set)'}.</p>;
  const selected = releases.find((r) => r.version === version) ?? releases[0];
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    try {
      await api.request(VERSION_PATH, { method: 'PATCH', body: desiredUpdatePatch(selected) });
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="update" onSubmit={(e) => void submit(e)} aria-label="Update cluster">
      <table className="plain" aria-label="Available updates">
        <thead><tr><th scope="col">Version</th><th scope="col">Image</th><th scope="col">Errata</th></tr></thead>
        <tbody>{releases.map((r) => (
          <tr key={r.version}>
            <td><label><input type="radio" name="version" value={r.version} checked={r.version === selected.version} onChange={() => setVersion(r.version)} /> {r.version}</label></td>
            <td><code>{r.image}</code></td>
            <td>{r.url && <a href={r.url} target="_blank" rel="noreferrer noopener">notes</a>}</td>
          </tr>
        ))}</tbody>
      </table>
      <button type="submit" className="primary" disabled={busy || updating}>Update to {selected.version}</button>
      <ErrorBanner error={error} title="Update request failed" />
    </form>
  );
}

function ClusterVersionView({ cv }: { cv: ClusterVersion }) {
  const status = updateStatus(cv);
  const history = cv.status?.history ?? [];
  return (
    <>
      <dl className="details">
        <dt>Current version</dt><dd data-testid="current-version">{currentVersion(cv) ?? 'unknown'}</dd>
        <dt>Update status</dt><dd data-testid="update-status" className={`status-${status.kind}`}>{status.label}</dd>
        {cv.spec?.desiredUpdate?.version && <><dt>Requested</dt><dd>{cv.spec.desiredUpdate.version}</dd></>}
        <dt>Cluster ID</dt><dd><code>{cv.spec?.clusterID}</code></dd>
      </dl>
      {status.message && <p className="status-message" data-testid="status-message" aria-live="polite">{status.message}</p>}
      {status.progress && (
        <div className="progress" role="progressbar" aria-label={`Update to ${status.progress.target}`}
          aria-valuemin={0} aria-valuemax={100} aria-valuenow={status.progress.percent} aria-valuetext={`${status.progress.percent}% complete`}>
          <div className="progress-bar" style={{ width: `${status.progress.percent}%` }} />
        </div>
      )}
      <ChannelForm key={cv.spec?.channel ?? ''} cv={cv} />
      <h2>Available updates</h2>
      <UpdateForm key={(cv.status?.availableUpdates ?? []).map((r) => r.version).join(',')} cv={cv} updating={status.kind === 'Updating'} />
      <h2>Update history</h2>
      <table className="plain" aria-label="Update history" data-testid="history">
        <thead><tr><th scope="col">Version</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Completed</th><th scope="col">Verified</th></tr></thead>
        <tbody>{history.map((h) => (
          <tr key={`${h.version}-${h.startedTime}`}><td>{h.version}</td><td>{h.state}</td><td>{h.startedTime}</td><td>{h.completionTime ?? ''}</td><td>{h.verified ? 'yes' : 'no'}</td></tr>
        ))}</tbody>
      </table>
      <h2>Conditions</h2>
      <ConditionsTable conditions={cv.status?.conditions} />
      <p><Link href="/clusteroperators">Cluster operators</Link> · <Link href={`/clusterversions/${CLUSTER_VERSION_NAME}/yaml`}>ClusterVersion YAML</Link></p>
    </>
  );
}

export function ClusterSettingsPage() {
  const state = useWatchedList<ClusterVersion>({ resource: CLUSTER_VERSION_RESOURCE, query: singleObjectQuery(CLUSTER_VERSION_NAME) });
  const cv = state.items[0];
  return (
    <>
      <h1>Cluster Settings</h1>
      <ErrorBanner error={state.error} />
      {!state.synced && !state.error && <p className="loading">Loading…</p>}
      {state.synced && !cv && <p className="empty">There is no ClusterVersion "{CLUSTER_VERSION_NAME}": the cluster-version operator has not started in this cluster.</p>}
      {cv && <ClusterVersionView cv={cv} />}
    </>
  );
}
