// The web console in a real browser (Debian chromium via playwright-core) against the dev cluster in-process:
// login by URL fragment, the Machines table, scaling a MachineSet, a 422 from the YAML editor, an update from
// Cluster Settings (ClusterVersion status written by the test), first paint, 1,000 Machines, keyboard use; then, on
// a second cluster with the real cluster-version operator, an upgrade from Cluster Settings that the operator
// carries out. Screenshots of every page land in test-artifacts/console/.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { putConfigMap } from '../../devcluster/releases/cluster-version.ts';
import { DEMO_OPERATOR } from '../../devcluster/releases/demo-manifests.ts';
import { DEMO_OPERATOR_CONTROL_CONFIG_MAP } from '../../devcluster/releases/release-followers.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { FAST_CVO } from '../e2e/cluster-version/harness.ts';
import { startConsoleEnv, type ConsoleEnv } from './harness.ts';

const NS = 'openshift-machine-api';
const MAPI = '/apis/machine.openshift.io/v1beta1';
const CV_PATH = '/apis/config.openshift.io/v1/clusterversions/version';
/** Loose: a first paint on the dev cluster is ~100-300 ms here; the issue asks for under a second. */
const FIRST_PAINT_BUDGET_MS = 1_000;
/** Per interaction with 1,000 rows (scroll to the end, filter to one row). */
const INTERACTION_BUDGET_MS = 500;

function machineSet(name: string, replicas: number) {
  const labels = { 'machine.openshift.io/cluster-api-cluster': 'console', 'machine.openshift.io/cluster-api-machineset': name };
  return {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet',
    metadata: { name, namespace: NS, labels: { 'machine.openshift.io/cluster-api-cluster': 'console' } },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, 'machine.openshift.io/cluster-api-machine-role': 'worker' } },
        spec: { providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec', instanceType: 'local.small', region: 'local', zone: 'local-a', bootDelaySeconds: 0 } } },
      },
    },
  };
}

/** The row count the table reports ("3 of 3"). */
async function rowCount(page: Page): Promise<string> {
  return (await page.getByTestId('row-count').first().textContent()) ?? '';
}

/** A link of the main navigation (the breadcrumb repeats some names). */
function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

async function until<T>(what: string, cond: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  return waitFor(cond, { timeoutMs, intervalMs: 50, message: what }) as Promise<T>;
}

describe('web console (chromium)', function () {
  this.timeout(90_000);
  let env: ConsoleEnv;
  const requested: string[] = [];

  before(async function () {
    env = await startConsoleEnv();
    env.page.on('request', (r) => requested.push(r.url()));
  });
  after(async () => {
    await env?.stop();
  });

  it('logs in from the #token= fragment, strips it from the address bar and paints the Machines page in under a second', async () => {
    await env.page.goto(`${env.consoleUrl}#token=${encodeURIComponent(env.token)}`);
    await env.page.getByRole('heading', { name: 'Machines' }).waitFor();
    assert.equal(env.page.url(), `${env.consoleUrl}machines`);
    assert.equal(await env.page.evaluate(() => sessionStorage.getItem('machine-fleet.console.token')), env.token);
    assert.ok(requested.every((u) => !u.includes(env.token) && !u.includes(encodeURIComponent(env.token))), 'no request URL carries the token');
    const fcp = await env.page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
    assert.ok(typeof fcp === 'number' && fcp < FIRST_PAINT_BUDGET_MS, `first contentful paint ${fcp} ms`);
    console.log(`      first contentful paint: ${Math.round(fcp)} ms`);
  });

  it('lists the Machines live and filters them by name and by column', async () => {
    const page = env.page;
    // Created after the first paint was measured: with two cores, the operator booting machines slows the page.
    await env.api(`${MAPI}/namespaces/${NS}/machinesets`, { method: 'POST', body: machineSet('workers', 2) });
    await until('2 machines in the table', async () => (await rowCount(page)) === '2 of 2');
    await until('both Running', async () => (await page.locator('td .phase-running').count()) === 2, 20_000);
    await env.screenshot('machines');
    const filter = page.getByRole('searchbox', { name: 'Filter Machines' });
    await filter.fill('phase:running zone:local-a');
    await until('filtered by column', async () => (await rowCount(page)) === '2 of 2');
    await filter.fill('no-such-machine');
    await until('filtered to none', async () => (await rowCount(page)) === '0 of 2');
    await page.getByText('No Machines match the filter').waitFor();
    await filter.press('Escape');
    await until('filter cleared', async () => (await rowCount(page)) === '2 of 2');
  });

  it('scales a MachineSet from its page and shows the new Machines as they appear', async () => {
    const page = env.page;
    await nav(page, 'MachineSets').click();
    await page.getByRole('grid', { name: 'MachineSets' }).getByText('workers').waitFor();
    await env.screenshot('machinesets');
    await page.getByRole('grid', { name: 'MachineSets' }).getByText('workers').dblclick();
    await page.getByRole('heading', { name: 'MachineSet workers' }).waitFor();
    await page.getByLabel('Desired machines').fill('4');
    await page.getByRole('button', { name: 'Scale' }).click();
    await until('the server to have 4 replicas', async () => (await env.api<{ spec: { replicas: number } }>(`${MAPI}/namespaces/${NS}/machinesets/workers`)).spec.replicas === 4);
    await until('4 machines listed on the page', async () => (await rowCount(page)) === '4 of 4', 20_000);
    await until('4 Running', async () => (await page.locator('td .phase-running').count()) === 4, 20_000);
    await env.screenshot('machineset-detail');
  });

  it('shows the API server\'s 422 message when saved YAML breaks the schema, and Escape cancels the edit', async () => {
    const page = env.page;
    await page.getByRole('tab', { name: 'YAML' }).click();
    const line = page.locator('.cm-line', { hasText: /^\s*replicas: 4$/ }).first();
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('four');
    await page.getByRole('button', { name: 'Save' }).click();
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    assert.match(text, /^Save failed \(422\): MachineSet\.machine\.openshift\.io "workers" is invalid: spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
    assert.doesNotMatch(text, /at \w+ \(|Error:/, 'no stack trace');
    await env.screenshot('machineset-yaml-422');
    await page.getByRole('textbox', { name: 'YAML of MachineSet workers' }).press('Escape');
    await page.getByTestId('machineset-counts').waitFor();
    assert.equal(env.page.url(), `${env.consoleUrl}machinesets/${NS}/workers`);
    assert.equal(await page.getByTestId('desired').textContent(), '4');
  });

  it('moves through the page with the keyboard: navigation, filter, grid, Enter to open', async () => {
    const page = env.page;
    // A fresh load (the token stays in sessionStorage), so that Tab starts from the top of the document.
    await page.goto(`${env.consoleUrl}machinesets`);
    await page.getByRole('grid', { name: 'MachineSets' }).getByText('workers').waitFor();
    const order: string[] = [];
    for (let i = 0; i < 9; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName;
      }));
    }
    assert.deepEqual(order, ['Skip to content', 'Machines', 'MachineSets', 'Nodes', 'Cluster Operators', 'Cluster Settings', 'Log out', 'Filter MachineSets', 'MachineSets']);
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'MachineSet workers' }).waitFor();
  });

  it('shows Nodes and Cluster Operators', async () => {
    const page = env.page;
    await nav(page, 'Nodes').click();
    await until('4 ready nodes', async () => (await page.getByRole('grid', { name: 'Nodes' }).getByText('Ready', { exact: true }).count()) === 4, 20_000);
    await env.screenshot('nodes');
    // Not machine-api: the Machine API operator in the dev cluster reports that one itself.
    await env.api('/apis/config.openshift.io/v1/clusteroperators', { method: 'POST', body: { apiVersion: 'config.openshift.io/v1', kind: 'ClusterOperator', metadata: { name: 'example-storage' }, spec: {} } });
    await env.api('/apis/config.openshift.io/v1/clusteroperators/example-storage/status', {
      method: 'PATCH', contentType: 'application/merge-patch+json',
      body: { status: { versions: [{ name: 'operator', version: '4.1.0' }], conditions: [
        { type: 'Available', status: 'True', lastTransitionTime: new Date().toISOString() },
        { type: 'Degraded', status: 'True', lastTransitionTime: new Date().toISOString(), reason: 'Drain', message: 'Drain of node worker-1 is taking long' },
      ] } },
    });
    await nav(page, 'Cluster Operators').click();
    await page.getByText('Drain of node worker-1 is taking long').waitFor();
    await env.screenshot('clusteroperators');
  });

  it('starts an update from Cluster Settings and follows the progress to completion (ClusterVersion status driven by the test)', async () => {
    const page = env.page;
    const now = () => new Date().toISOString();
    const release = (version: string) => ({ version, image: `quay.io/openshift-release-dev/ocp-release@sha256:${version.replaceAll('.', '').padEnd(64, '0')}` });
    const status = (over: Record<string, unknown>) => ({
      desired: release('4.1.0'), observedGeneration: 1, versionHash: 'h',
      history: [{ state: 'Completed', startedTime: now(), completionTime: now(), ...release('4.1.0'), verified: true }],
      availableUpdates: [release('4.1.1'), release('4.2.0')],
      conditions: [
        { type: 'Available', status: 'True', lastTransitionTime: now(), message: 'Done applying 4.1.0' },
        { type: 'Progressing', status: 'False', lastTransitionTime: now(), message: 'Cluster version is 4.1.0' },
        { type: 'Failing', status: 'False', lastTransitionTime: now() },
      ],
      ...over,
    });
    const writeStatus = (s: unknown) => env.api(`${CV_PATH}/status`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: s } });
    await env.api('/apis/config.openshift.io/v1/clusterversions', { method: 'POST', body: { apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', metadata: { name: 'version' }, spec: { clusterID: '6a1c7f2e-3b1d-4e5f-8a9b-0c1d2e3f4a5b', channel: 'stable-4.2' } } });
    await writeStatus(status({}));

    await nav(page, 'Cluster Settings').click();
    await until('current version', async () => (await page.getByTestId('current-version').textContent()) === '4.1.0');
    assert.equal(await page.getByTestId('update-status').textContent(), 'Update available');
    assert.equal(await page.getByLabel('Channel').inputValue(), 'stable-4.2');
    await env.screenshot('cluster-settings');

    await page.getByRole('button', { name: 'Update to 4.2.0' }).click();
    const requestedUpdate = await until('spec.desiredUpdate', async () => (await env.api<{ spec: { desiredUpdate?: { version: string; image: string } } }>(CV_PATH)).spec.desiredUpdate);
    assert.deepEqual(requestedUpdate, release('4.2.0'));

    // What the cluster-version operator writes while it works (§1.4, §1.6 of the reference).
    const partial = { state: 'Partial', startedTime: now(), completionTime: null, ...release('4.2.0'), verified: true };
    const completed41 = { state: 'Completed', startedTime: now(), completionTime: now(), ...release('4.1.0'), verified: true };
    await writeStatus(status({ desired: release('4.2.0'), history: [partial, completed41], conditions: [
      { type: 'Available', status: 'True', lastTransitionTime: now(), message: 'Done applying 4.1.0' },
      { type: 'Progressing', status: 'True', lastTransitionTime: now(), message: 'Working towards 4.2.0: 57 of 120 done (47% complete)' },
      { type: 'Failing', status: 'False', lastTransitionTime: now() },
    ] }));
    const bar = page.getByRole('progressbar');
    await until('47% on the progress bar', async () => (await bar.count()) === 1 && (await bar.getAttribute('aria-valuenow')) === '47');
    assert.equal(await page.getByTestId('update-status').textContent(), 'Updating to 4.2.0');
    assert.equal(await page.getByRole('button', { name: /^Update to / }).isDisabled(), true, 'no second update while one runs');
    await env.screenshot('cluster-settings-updating');

    await writeStatus(status({ desired: release('4.2.0'), availableUpdates: [], history: [{ ...partial, state: 'Completed', completionTime: now() }, completed41], conditions: [
      { type: 'Available', status: 'True', lastTransitionTime: now(), message: 'Done applying 4.2.0' },
      { type: 'Progressing', status: 'False', lastTransitionTime: now(), message: 'Cluster version is 4.2.0' },
      { type: 'Failing', status: 'False', lastTransitionTime: now() },
    ] }));
    await until('4.2.0 current', async () => (await page.getByTestId('current-version').textContent()) === '4.2.0');
    assert.equal(await page.getByTestId('update-status').textContent(), 'Up to date');
    assert.deepEqual(await page.getByTestId('history').locator('tbody tr td:nth-child(2)').allTextContents(), ['Completed', 'Completed']);
    await env.screenshot('cluster-settings-updated');
  });

  it('keeps a table of 1,000 Machines responsive: render, scroll to the end, filter, live deletes', async () => {
    const page = env.page;
    const ns = 'fleet-scale';
    await env.api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    // A namespace the Machine API operator does not watch: 1,000 objects, no 1,000 instances.
    const names = Array.from({ length: 1000 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((name, j) => env.api(`${MAPI}/namespaces/${ns}/machines`, { method: 'POST', body: {
        apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine',
        metadata: { name, labels: { 'machine.openshift.io/region': 'local', 'machine.openshift.io/zone': `zone-${(i + j) % 3}` } }, spec: {},
      } })));
    }
    const started = Date.now();
    await nav(page, 'Machines').click();
    const filter = page.getByRole('searchbox', { name: 'Filter Machines' });
    await filter.fill(`namespace:${ns}`);
    await until('1,000 rows', async () => (await rowCount(page)) === '1000 of 1004');
    const renderMs = Date.now() - started;
    const domRows = await page.locator('table[aria-label="Machines"] tbody tr:not(.spacer)').count();
    assert.ok(domRows < 80, `virtualized: ${domRows} rows in the DOM`);

    const scrollMs = await page.evaluate(async () => {
      const el = document.querySelector('.table-scroll')!;
      const t0 = performance.now();
      el.scrollTop = el.scrollHeight;
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if (document.body.textContent!.includes('bulk-0999')) return performance.now() - t0;
      }
    });
    await env.screenshot('machines-1000');
    const t1 = Date.now();
    await filter.fill(`bulk-0500 namespace:${ns}`);
    await until('filtered to one', async () => (await rowCount(page)) === '1 of 1004');
    const filterMs = Date.now() - t1;
    console.log(`      1,000 machines: listed and rendered ${renderMs} ms, scroll to end ${Math.round(scrollMs)} ms, filter ${filterMs} ms, ${domRows} rows in the DOM`);
    assert.ok(scrollMs < INTERACTION_BUDGET_MS, `scroll ${scrollMs} ms`);
    assert.ok(filterMs < INTERACTION_BUDGET_MS, `filter ${filterMs} ms`);

    await env.api(`${MAPI}/namespaces/${ns}/machines/bulk-0500`, { method: 'DELETE' });
    await until('the delete seen live', async () => (await rowCount(page)) === '0 of 1003');
  });

  it('shows the server\'s refusal, not a stack trace, and asks for a token again after a 401', async () => {
    const page = env.page;
    await page.evaluate(() => sessionStorage.setItem('machine-fleet.console.token', 'wrong'));
    await page.goto(`${env.consoleUrl}nodes`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.getByText('401 Unauthorized').waitFor();
    await page.getByLabel('Bearer token').fill('still-wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.textContent(), 'Login failed (401): Unauthorized');
    await env.screenshot('login');
    await page.getByLabel('Bearer token').fill(env.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Nodes' }).waitFor();
  });
});

// Its own cluster: the cluster-version operator creates ClusterVersion `version` itself, which the test above
// creates by hand, so the two cannot share one.
describe('web console with the real cluster-version operator (chromium)', function () {
  this.timeout(60_000);
  let env: ConsoleEnv;

  before(async function () {
    // The e2e timings, except that a ClusterOperator counts as slow only after a minute: the demo operator is held
    // back below on purpose, and Failing=Unknown would only add noise to what the page shows meanwhile.
    env = await startConsoleEnv({ clusterVersion: { ...FAST_CVO, thresholds: { degradedGraceMs: 60_000, slowOperatorMs: 60_000, slowMachineConfigMs: 60_000 } } });
  });
  after(async () => {
    await env?.stop();
  });

  /** The demo operator's knobs (devcluster/releases/release-followers.ts): `stall: 'true'` holds it at its version. */
  const demoOperator = (data: Record<string, string>) => putConfigMap(env.cluster.kubeConfig, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: DEMO_OPERATOR_CONTROL_CONFIG_MAP, namespace: DEMO_OPERATOR.namespace }, data,
  });

  it('starts an upgrade from Cluster Settings and watches the real cluster-version operator complete it', async () => {
    const page = env.page;
    await page.goto(`${env.consoleUrl}#token=${encodeURIComponent(env.token)}`);
    await nav(page, 'Cluster Settings').click();
    // Everything from here on arrives through the page's watch: the operator installs 4.1.0, then asks the update
    // graph for the channel's updates.
    await until('4.1.0 installed', async () => (await page.getByTestId('current-version').textContent()) === '4.1.0', 20_000);
    const updates = page.getByRole('table', { name: 'Available updates' });
    await until('4.2.0 offered', async () => (await updates.getByRole('radio', { name: '4.2.0' }).count()) === 1, 20_000);
    assert.equal(await page.getByLabel('Channel').inputValue(), 'stable-4');
    assert.equal(await page.getByTestId('update-status').textContent(), 'Update available');
    await env.screenshot('cluster-settings-cvo');

    // Held at 4.1.0, the demo operator keeps the update mid-way long enough to see it; the real CVO drives the rest.
    await demoOperator({ stall: 'true' });
    await updates.getByRole('radio', { name: '4.2.0' }).check();
    await page.getByRole('button', { name: 'Update to 4.2.0' }).click();

    // The CVO's Progressing message, as it stands once it has applied everything up to the demo operator's level.
    // Each sync attempt restarts the count, so the message moves between "N of M done" and "…, waiting on demo":
    // read the message and the bar together and keep the reading that shows the wait.
    const message = page.getByTestId('status-message');
    const bar = page.getByRole('progressbar', { name: 'Update to 4.2.0' });
    let progress: RegExpExecArray | null = null;
    let percent = NaN;
    await until('waiting on demo, with the bar at the message\'s percentage', async () => {
      const text = (await message.textContent().catch(() => null)) ?? '';
      progress = /^Working towards 4\.2\.0: (\d+) of (\d+) done \((\d+)% complete\), waiting on demo$/.exec(text);
      percent = Number(await bar.getAttribute('aria-valuenow').catch(() => null));
      return progress !== null && percent === Number(progress[3]);
    }, 20_000);
    assert.ok(progress, 'Progressing message');
    assert.ok(percent > 0 && percent < 100, `progress ${percent}%`);
    assert.equal(await page.getByTestId('update-status').textContent(), 'Updating to 4.2.0');
    assert.equal(await page.getByRole('button', { name: /^Update to / }).isDisabled(), true, 'no second update while one runs');
    assert.deepEqual(await historyRows(page), [['4.2.0', 'Partial'], ['4.1.0', 'Completed']]);
    await env.screenshot('cluster-settings-cvo-updating');

    // Released, the demo operator reaches 4.2.0 and the CVO completes the update; the page follows without a reload.
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await demoOperator({});
    await until('4.2.0 current', async () => (await page.getByTestId('current-version').textContent()) === '4.2.0', 20_000);
    await until('the progress bar gone', async () => (await bar.count()) === 0);
    await until('settled at 4.2.0', async () => (await message.textContent()) === 'Cluster version is 4.2.0');
    assert.deepEqual(await historyRows(page), [['4.2.0', 'Completed'], ['4.1.0', 'Completed']]);
    assert.deepEqual(navigations, [], 'no reload');
    await env.screenshot('cluster-settings-cvo-updated');
  });
});

/** The Update history table as [version, state] rows, newest first. */
async function historyRows(page: Page): Promise<string[][]> {
  const rows = await page.getByTestId('history').locator('tbody tr').all();
  return Promise.all(rows.map(async (row) => (await row.locator('td').allTextContents()).slice(0, 2)));
}
