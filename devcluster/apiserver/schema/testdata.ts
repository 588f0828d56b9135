// Test fixtures: a MachineSet-like CRD (machine.openshift.io/v1beta1) trimmed to the shapes that matter for
// pruning, defaulting and validation: defaulted replicas, a preserve-unknown-fields providerSpec.value, string maps,
// a list-map of conditions and the status and scale subresources.
import type { KubeObject, SchemaNode } from '../types.ts';

export function machineSetSchema(): SchemaNode {
  const stringMap: SchemaNode = { type: 'object', additionalProperties: { type: 'string' } };
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer', format: 'int32', default: 1, minimum: 0 },
          minReadySeconds: { type: 'integer', format: 'int32' },
          deletePolicy: { type: 'string', enum: ['Random', 'Newest', 'Oldest'] },
          selector: {
            type: 'object',
            properties: {
              matchLabels: stringMap,
              matchExpressions: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['key', 'operator'],
                  properties: { key: { type: 'string' }, operator: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
          template: {
            type: 'object',
            properties: {
              metadata: { type: 'object', properties: { labels: stringMap, annotations: stringMap } },
              spec: {
                type: 'object',
                properties: {
                  providerID: { type: 'string' },
                  providerSpec: {
                    type: 'object',
                    properties: { value: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
                  },
                  taints: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['effect', 'key'],
                      properties: { key: { type: 'string' }, value: { type: 'string' }, effect: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
      status: {
        type: 'object',
        properties: {
          replicas: { type: 'integer', format: 'int32' },
          readyReplicas: { type: 'integer', format: 'int32' },
          labelSelector: { type: 'string' },
          conditions: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['type'],
            items: {
              type: 'object',
              required: ['type', 'status'],
              properties: {
                type: { type: 'string' },
                status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
                lastTransitionTime: { type: 'string', format: 'date-time' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}

export function machineSetCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'machinesets.machine.openshift.io' },
    spec: {
      group: 'machine.openshift.io',
      scope: 'Namespaced',
      names: { plural: 'machinesets', singular: 'machineset', kind: 'MachineSet', listKind: 'MachineSetList', shortNames: ['ms'], categories: ['machine-api'] },
      versions: [{
        name: 'v1beta1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' } },
        additionalPrinterColumns: [{ name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' }],
        schema: { openAPIV3Schema: machineSetSchema() as never },
      }],
    },
  };
}

export function machineSet(): KubeObject {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineSet',
    metadata: { name: 'ms1', namespace: 'openshift-machine-api' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { 'machine.openshift.io/cluster-api-machineset': 'ms1' } },
      template: {
        metadata: { labels: { 'machine.openshift.io/cluster-api-machineset': 'ms1' } },
        spec: { providerSpec: { value: { apiVersion: 'awsproviderconfig.openshift.io/v1beta1', kind: 'AWSMachineProviderConfig', instanceType: 'm5.large' } } },
      },
    },
  };
}
