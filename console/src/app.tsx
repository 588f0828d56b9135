// The shell: the login gate, the navigation and the routes (wouter, history routing under /console/; the server
// answers every /console/ path with index.html, so deep links and reloads work).
import { useMemo, useState } from 'react';
import { Link, Redirect, Route, Router, Switch, useRoute } from 'wouter';
import { createApiClient } from './api/client.ts';
import { CLUSTER_OPERATOR_RESOURCE, CLUSTER_VERSION_RESOURCE, MACHINE_RESOURCE, NODE_RESOURCE } from './api/resources.ts';
import type { TokenStore } from './auth.ts';
import { Login } from './components/login.tsx';
import { ApiProvider } from './hooks/api.tsx';
import { ClusterOperatorsPage } from './pages/cluster-operators.tsx';
import { ClusterSettingsPage } from './pages/cluster-settings.tsx';
import { MachineSetPage, MachineSetsPage } from './pages/machine-sets.tsx';
import { MachinesPage } from './pages/machines.tsx';
import { NodesPage } from './pages/nodes.tsx';
import { ObjectPage } from './pages/object-page.tsx';

export const CONSOLE_BASE = '/console';

const NAV: readonly { href: string; title: string }[] = [
  { href: '/machines', title: 'Machines' },
  { href: '/machinesets', title: 'MachineSets' },
  { href: '/nodes', title: 'Nodes' },
  { href: '/clusteroperators', title: 'Cluster Operators' },
  { href: '/settings/cluster', title: 'Cluster Settings' },
];

function NavLink({ href, title }: { href: string; title: string }) {
  const [active] = useRoute(`${href}/*?`);
  return <Link href={href} aria-current={active ? 'page' : undefined}>{title}</Link>;
}

const tabOf = (params: { tab?: string }) => (params.tab === 'yaml' ? 'yaml' : 'details');

function Routes() {
  return (
    <Switch>
      <Route path="/"><Redirect to="/machines" replace /></Route>
      <Route path="/machines" component={MachinesPage} />
      <Route path="/machines/:ns/:name/:tab?">{(p) => (
        <ObjectPage resource={MACHINE_RESOURCE} namespace={p.ns} name={p.name} tab={tabOf(p)} listPath="/machines" listTitle="Machines" basePath={`/machines/${p.ns}/${p.name}`} />
      )}</Route>
      <Route path="/machinesets" component={MachineSetsPage} />
      <Route path="/machinesets/:ns/:name/:tab?">{(p) => <MachineSetPage namespace={p.ns} name={p.name} tab={tabOf(p)} />}</Route>
      <Route path="/nodes" component={NodesPage} />
      <Route path="/nodes/:name/:tab?">{(p) => (
        <ObjectPage resource={NODE_RESOURCE} name={p.name} tab={tabOf(p)} listPath="/nodes" listTitle="Nodes" basePath={`/nodes/${p.name}`} />
      )}</Route>
      <Route path="/clusteroperators" component={ClusterOperatorsPage} />
      <Route path="/clusteroperators/:name/:tab?">{(p) => (
        <ObjectPage resource={CLUSTER_OPERATOR_RESOURCE} name={p.name} tab={tabOf(p)} listPath="/clusteroperators" listTitle="Cluster Operators" basePath={`/clusteroperators/${p.name}`} />
      )}</Route>
      <Route path="/settings/cluster" component={ClusterSettingsPage} />
      <Route path="/clusterversions/:name/:tab?">{(p) => (
        <ObjectPage resource={CLUSTER_VERSION_RESOURCE} name={p.name} tab={tabOf(p)} listPath="/settings/cluster" listTitle="Cluster Settings" basePath={`/clusterversions/${p.name}`} />
      )}</Route>
      <Route><h1>Not found</h1><p>There is no console page here. <Link href="/machines">Machines</Link></p></Route>
    </Switch>
  );
}

export function App({ tokens }: { tokens: TokenStore }) {
  const [token, setToken] = useState(tokens.get());
  const [loggedOutReason, setLoggedOutReason] = useState<string | undefined>(undefined);
  const api = useMemo(() => createApiClient({
    baseUrl: '',
    token: () => token,
    onUnauthorized: () => {
      tokens.clear();
      setLoggedOutReason('The API server no longer accepts your token (401 Unauthorized). Log in again.');
      setToken(undefined);
    },
  }), [token]);

  if (!token) {
    return <Login reason={loggedOutReason} onToken={(t) => { tokens.set(t); setLoggedOutReason(undefined); setToken(t); }} />;
  }
  return (
    <Router base={CONSOLE_BASE}>
      <ApiProvider value={api}>
        <a className="skip" href="#content">Skip to content</a>
        <header className="masthead">
          <span className="brand">Machine fleet</span>
          <nav aria-label="Main">{NAV.map((n) => <NavLink key={n.href} {...n} />)}</nav>
          <button type="button" className="logout" onClick={() => { tokens.clear(); setToken(undefined); }}>Log out</button>
        </header>
        <main id="content" tabIndex={-1}>
          <Routes />
        </main>
      </ApiProvider>
    </Router>
  );
}
