// `npm run payload -- <command>`: build, push, sign and key tooling for release payloads. Every command is a
// function of (argv, output) returning an exit code, so tests drive it in-process; main.ts wires it to the process.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { PayloadError } from '../../operators/cluster-version/payload/index.ts';
import { generateSigningKey, signRelease, signatureConfigMap, verificationConfigMap } from '../../operators/cluster-version/signatures/index.ts';
import { buildPayloadFiles, parseImagesFile, writePayloadDirectory, writePayloadTar } from './build.ts';
import { pushPayload } from './push.ts';

export const USAGE = `Usage: npm run payload -- <command> [options]

Commands:
  build   --version V [--previous A,B] --manifests DIR --images images.json (--out DIR | --tar FILE[.gz])
          Assemble a release payload: release-manifests/ with the manifests, image-references and
          release-metadata. images.json maps tags to pull specs by digest ({"rhel-coreos": "repo@sha256:…"}).
          Prints the payload digest (sha256 of its canonical tar).
  push    --dir DIR --to REGISTRY/REPO:TAG [--insecure] [--ca CA.pem]
          Push a payload directory as an OCI image; prints the manifest digest and the pull spec by digest.
          --insecure talks plain HTTP to the registry.
  sign    --digest sha256:… --reference REGISTRY/REPO[:TAG] --key KEY.asc --out FILE [--configmap NAME]
          Write a simple-signing OpenPGP signature (signature-1 of a signature store), or with --configmap a
          ConfigMap YAML holding it (openshift-config-managed, label release.openshift.io/verification-signatures).
  keygen  --name N --out DIR
          Create a dev key pair: DIR/N.pub.asc, DIR/N.key.asc and DIR/release-verification.yaml (the ConfigMap
          that makes the cluster trust the key).
`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {}

type Command = (args: string[], output: CliOutput) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  async build(args, output) {
    const { values } = parse(args, { version: 'string', previous: 'string', manifests: 'string', images: 'string', out: 'string', tar: 'string' });
    const version = required(values, 'version');
    const manifestsDir = required(values, 'manifests');
    const imagesFile = required(values, 'images');
    if ((values.out === undefined) === (values.tar === undefined)) throw new UsageError('build: give exactly one of --out DIR or --tar FILE');
    const images = parseImagesFile(readFileSync(imagesFile, 'utf8'), imagesFile);
    const previous = optional(values, 'previous')?.split(',').map((v) => v.trim()).filter(Boolean);
    const { files, payload } = buildPayloadFiles({ version, previous, manifestsDir, images });
    const out = optional(values, 'out');
    if (out !== undefined) writePayloadDirectory(files, out);
    else writePayloadTar(files, required(values, 'tar'));
    output.out(`Built release ${payload.version}: ${payload.manifests.length} manifests, ${payload.images.length} images\n`);
    output.out(`digest: ${payload.digest}\n`);
  },

  async push(args, output) {
    const { values } = parse(args, { dir: 'string', to: 'string', insecure: 'boolean', ca: 'string' });
    const result = await pushPayload(required(values, 'dir'), required(values, 'to'), {
      insecure: values.insecure === true,
      ...(optional(values, 'ca') !== undefined && { ca: readFileSync(required(values, 'ca')) }),
    });
    output.out(`Pushed release ${result.version}\ndigest: ${result.digest}\npull spec: ${result.pullSpec}\n`);
  },

  async sign(args, output) {
    const { values } = parse(args, { digest: 'string', reference: 'string', key: 'string', out: 'string', configmap: 'string' });
    const digest = required(values, 'digest');
    const signature = await signRelease(digest, required(values, 'reference'), readFileSync(required(values, 'key'), 'utf8'));
    const out = required(values, 'out');
    const configMap = optional(values, 'configmap');
    if (configMap !== undefined) {
      writeFileSync(out, stringify(signatureConfigMap(configMap, digest, [signature])));
      output.out(`Wrote ConfigMap ${configMap} with the signature of ${digest} to ${out}\n`);
    } else {
      writeFileSync(out, signature);
      output.out(`Wrote the signature of ${digest} to ${out}\n`);
    }
  },

  async keygen(args, output) {
    const { values } = parse(args, { name: 'string', out: 'string' });
    const name = required(values, 'name');
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new UsageError(`keygen: --name ${JSON.stringify(name)} must be lowercase letters, digits and dashes (it becomes a ConfigMap key)`);
    const dir = required(values, 'out');
    const pair = await generateSigningKey(name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.pub.asc`), pair.publicKeyArmored);
    writeFileSync(join(dir, `${name}.key.asc`), pair.privateKeyArmored, { mode: 0o600 });
    writeFileSync(join(dir, 'release-verification.yaml'), stringify(verificationConfigMap({ [name]: pair.publicKeyArmored })));
    output.out(`Key ${pair.fingerprint}: ${join(dir, `${name}.pub.asc`)}, ${join(dir, `${name}.key.asc`)}, ${join(dir, 'release-verification.yaml')}\n`);
  },
};

/** Runs one command; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runPayloadCommand(argv: readonly string[], output: CliOutput): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    output.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    output.err(`Unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  try {
    await run(args, output);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    const prefix = err instanceof PayloadError && err.reason === 'LoadPayload' ? 'invalid payload: ' : '';
    output.err(`payload ${command}: ${prefix}${(err as Error).message}\n`);
    return 1;
  }
}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], spec: Record<string, 'string' | 'boolean'>): { values: Values } {
  try {
    return parseArgs({ args, options: Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type }])), strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function required(values: Values, name: string): string {
  const value = optional(values, name);
  if (value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}
