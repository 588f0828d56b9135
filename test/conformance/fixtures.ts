// Manifests and set-up steps shared by the conformance files. Each test works in a namespace of its own, so
// one server per file serves every test of that file.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { KubectlRunner } from '../support/dev-server.ts';

export const CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));

/** Installs the Machine API CRDs (crds/) and waits until they are served, as §13 item 3 does. */
export async function installMachineApiCrds(k: KubectlRunner): Promise<void> {
  const applied = await k.kubectl(['apply', '-f', CRDS_DIR]);
  // crds/ holds other groups' CRDs too (config.openshift.io, …): require the Machine API ones, each created.
  const lines = applied.stdout.trimEnd().split('\n');
  for (const plural of ['machinehealthchecks', 'machines', 'machinesets']) {
    assert.ok(lines.includes(`customresourcedefinition.apiextensions.k8s.io/${plural}.machine.openshift.io created`), applied.stdout);
  }
  assert.ok(lines.every((line) => line.endsWith(' created')), applied.stdout);
  const established = await k.kubectl(['wait', '--for', 'condition=established', '--timeout=5s', 'crd/machinesets.machine.openshift.io', 'crd/machines.machine.openshift.io', 'crd/machinehealthchecks.machine.openshift.io']);
  assert.match(established.stdout, /machinesets\.machine\.openshift\.io condition met/);
}

export async function createNamespace(k: KubectlRunner, name: string): Promise<void> {
  const { stdout } = await k.kubectl(['create', 'namespace', name]);
  assert.equal(stdout, `namespace/${name} created\n`);
}

export interface MachineSetOptions {
  replicas?: number;
  labels?: Record<string, string>;
  /** Extra lines under `spec:`, already indented by four spaces. */
  extraSpec?: string;
}

export function machineSetYaml(namespace: string, name: string, options: MachineSetOptions = {}): string {
  const labels = Object.entries(options.labels ?? {}).map(([k, v]) => `    ${k}: "${v}"\n`).join('');
  return [
    'apiVersion: machine.openshift.io/v1beta1',
    'kind: MachineSet',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    ...(labels ? [`  labels:\n${labels.trimEnd()}`] : []),
    'spec:',
    `  replicas: ${options.replicas ?? 1}`,
    '  selector:',
    '    matchLabels:',
    `      machine.openshift.io/cluster-api-machineset: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        machine.openshift.io/cluster-api-machineset: ${name}`,
    ...(options.extraSpec ? [options.extraSpec.trimEnd()] : []),
    '',
  ].join('\n');
}

export function configMapYaml(namespace: string, name: string, data: Record<string, string>, metadataExtra = ''): string {
  const entries = Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`);
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    ...(metadataExtra ? [metadataExtra.trimEnd()] : []),
    ...(entries.length > 0 ? ['data:', ...entries] : []),
    '',
  ].join('\n');
}

/** A small namespaced CRD of our own, to be created and deleted without disturbing the Machine API ones. */
export function widgetCrdYaml(group: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`;
}
