// Sample payload content for tests: a few manifests in the 0000_<runlevel>_<component>_ convention, with the
// include/exclude annotations of §2.5, and an image list with the OS and boot images among the components.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;

export const SAMPLE_IMAGES: Record<string, string> = {
  'cluster-version-operator': `quay.example/ocp/release@${DIGEST_A}`,
  'machine-config-operator': `quay.example/ocp/mco@${DIGEST_B}`,
  'rhel-coreos': `quay.example/ocp/rhel-coreos@sha256:${'c'.repeat(64)}`,
  'rhel-coreos-extensions': `quay.example/ocp/rhel-coreos-ext@sha256:${'d'.repeat(64)}`,
  'aws-boot-image': `quay.example/ocp/boot-aws@sha256:${'e'.repeat(64)}`,
  'gcp-boot-image': `quay.example/ocp/boot-gcp@sha256:${'f'.repeat(64)}`,
};

const INCLUDE = `    include.release.openshift.io/self-managed-high-availability: "true"`;

/** File name → content of the sample manifests. */
export const SAMPLE_MANIFESTS: Record<string, string> = {
  '0000_00_cluster-version-operator_01_namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: openshift-cluster-version
  annotations:
${INCLUDE}
    include.release.openshift.io/single-node-developer: "true"
`,
  '0000_30_machine-api_01_configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: machine-api-config
  namespace: openshift-machine-api
  annotations:
${INCLUDE}
    release.openshift.io/create-only: "true"
data:
  key: value
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: hypershift-only
  namespace: openshift-machine-api
  annotations:
    include.release.openshift.io/hypershift: "true"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: excluded-by-id
  namespace: openshift-machine-api
  annotations:
${INCLUDE}
    exclude.release.openshift.io/internal-openshift-hosted: "true"
`,
  '0000_80_machine-config_01_clusteroperator.yaml': `apiVersion: config.openshift.io/v1
kind: ClusterOperator
metadata:
  name: machine-config
  annotations:
${INCLUDE}
    release.openshift.io/delete: "false"
spec: {}
status:
  versions:
  - name: operator
    version: "4.16.2"
`,
  'README.md': 'not a manifest\n',
};

export function releaseMetadata(version: string, previous: string[] = ['4.16.0', '4.16.1']): string {
  return JSON.stringify({ kind: 'cincinnati-metadata-v0', version, previous, metadata: { url: 'https://errata.example/4.16.2' } });
}

export function imageReferences(version: string, images: Record<string, string> = SAMPLE_IMAGES): string {
  return JSON.stringify({
    kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', metadata: { name: version },
    spec: { tags: Object.entries(images).map(([name, image]) => ({ name, from: { kind: 'DockerImage', name: image } })) },
  });
}

/** Writes a payload root (release-manifests/ with the samples, image-references, release-metadata) under `dir`. */
export function writeSamplePayload(dir: string, version = '4.16.2'): string {
  const manifests = join(dir, 'release-manifests');
  mkdirSync(manifests, { recursive: true });
  for (const [name, content] of Object.entries(SAMPLE_MANIFESTS)) writeFileSync(join(manifests, name), content);
  writeFileSync(join(manifests, 'release-metadata'), releaseMetadata(version));
  writeFileSync(join(manifests, 'image-references'), imageReferences(version));
  return dir;
}

/** Writes the sample manifests alone, and images.json, as inputs of `payload build`. */
export function writeBuildInputs(dir: string): { manifestsDir: string; imagesFile: string } {
  const manifestsDir = join(dir, 'manifests-in');
  mkdirSync(manifestsDir, { recursive: true });
  for (const [name, content] of Object.entries(SAMPLE_MANIFESTS)) writeFileSync(join(manifestsDir, name), content);
  const imagesFile = join(dir, 'images.json');
  writeFileSync(imagesFile, JSON.stringify(SAMPLE_IMAGES));
  return { manifestsDir, imagesFile };
}
