// `npm run upgrade -- [flags]`, after `oc adm upgrade`:
//   (no flags)                       current version, channel, conditions needing attention, available updates
//   --to VERSION                     update to an available (recommended) version
//   --to-image PULLSPEC              update to a release image, recommended or not
//   --allow-not-recommended          with --to: accept a conditional (not recommended) update
//   --force                          spec.desiredUpdate.force: let blocking preconditions and a failed signature
//                                    check through (they are recorded in history as accepted risks)
//   --allow-upgrade-with-warnings    start even while the cluster is updating or failing
//   --watch                          after starting (or alone), show live progress until Completed (exit 0) or
//                                    Failing / refused (exit 1); it watches the ClusterVersion, it does not poll
//   --kubeconfig PATH                default $KUBECONFIG or ~/.kube/config
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { CLUSTER_VERSION_NAME, CLUSTER_VERSION_RESOURCE, type ClusterVersion } from '../../api/config-v1.ts';
import { createCache } from '../../runtime/cache.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { desiredUpdateFor, UsageError } from './desired-update.ts';
import { renderProgress, renderSummary, watchVerdict } from './render.ts';

const USAGE =
  'Usage: npm run upgrade -- [--to VERSION | --to-image PULLSPEC] [--allow-not-recommended] [--force] [--allow-upgrade-with-warnings] [--watch] [--kubeconfig PATH]\n';
const CV_PATH = resourcePath(CLUSTER_VERSION_RESOURCE, undefined, CLUSTER_VERSION_NAME);

interface Flags {
  readonly to?: string;
  readonly toImage?: string;
  readonly allowNotRecommended: boolean;
  readonly force: boolean;
  readonly allowWithWarnings: boolean;
  readonly watch: boolean;
  readonly kubeconfig?: string;
  readonly help: boolean;
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      to: { type: 'string' },
      'to-image': { type: 'string' },
      'allow-not-recommended': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'allow-upgrade-with-warnings': { type: 'boolean', default: false },
      watch: { type: 'boolean', short: 'w', default: false },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.to && values['to-image']) throw new UsageError('--to and --to-image are exclusive');
  return {
    to: values.to,
    toImage: values['to-image'],
    allowNotRecommended: values['allow-not-recommended'],
    force: values.force,
    allowWithWarnings: values['allow-upgrade-with-warnings'],
    watch: values.watch,
    kubeconfig: values.kubeconfig,
    help: values.help,
  };
}

/** Watches ClusterVersion/version and draws the progress bar until the update is over; returns the exit code. */
async function watchProgress(kc: KubeConfig, target: { version?: string; image?: string }, out: NodeJS.WriteStream): Promise<number> {
  const stop = new AbortController();
  const cache = createCache<ClusterVersion>(kc, resourcePath(CLUSTER_VERSION_RESOURCE, undefined), { name: 'clusterversion', fieldSelector: `metadata.name=${CLUSTER_VERSION_NAME}` });
  const running = cache.start(stop.signal);
  let lastLine = '';
  const exitCode = await new Promise<number>((resolve) => {
    const unsubscribe = cache.subscribe((event) => {
      if (event.type === 'delete') return;
      const line = renderProgress(event.object);
      if (line !== lastLine) {
        out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
        lastLine = line;
      }
      const verdict = watchVerdict(event.object, target);
      if (verdict.done) {
        unsubscribe();
        out.write(`${out.isTTY ? '\n' : ''}${verdict.message}\n`);
        resolve(verdict.exitCode);
      }
    });
  });
  stop.abort();
  await running;
  return exitCode;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  const cv = await kubeJson<ClusterVersion>(kc, CV_PATH);
  if (!flags.to && !flags.toImage) {
    if (!flags.watch) {
      process.stdout.write(renderSummary(cv));
      return 0;
    }
    const requested = cv.spec?.desiredUpdate;
    return watchProgress(kc, requested?.image || requested?.version ? { image: requested.image, version: requested.version } : { image: cv.status?.desired?.image }, process.stdout);
  }
  const update = desiredUpdateFor(cv, flags);
  // A JSON merge patch replaces desiredUpdate whole: a stale architecture or force does not linger.
  await kubeJson(kc, CV_PATH, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { desiredUpdate: { architecture: null, version: null, image: null, force: null, ...update } } } });
  process.stdout.write(`Requested update to ${update.version ?? update.image}${update.force ? ' (forced)' : ''}\n`);
  return flags.watch ? watchProgress(kc, { version: update.version, image: update.image }, process.stdout) : 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
}
