// The AWS SDK v3 EC2 client and where its credentials come from (shared/reference/machine-api.md §2.1
// "Credentials"; ts-ecosystem.md §2). Credentials come only from the Secret the providerSpec names (keys
// aws_access_key_id/aws_secret_access_key, or a shared `credentials` file); without a credentialsSecret the
// SDK's default chain is used, as in MAO. They are never logged or put in an error message.
import { createHash } from 'node:crypto';
import { DescribeInstancesCommand, EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface Ec2ClientOptions {
  readonly region: string;
  /** Absent: the SDK's default credential chain (environment, shared files, instance role). */
  readonly credentials?: AwsCredentials;
  /**
   * An explicit EC2 endpoint (tests). Absent: the SDK's own resolution, which honours the standard
   * AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL environment variables (@smithy/core getEndpointUrlConfig).
   */
  readonly endpoint?: string;
  /**
   * SDK attempts per call. 1 by default: the controller's per-key backoff with jitter is the one retry loop;
   * SDK retries under it would multiply throttled calls across every Machine (§7 "EC2 throttling").
   */
  readonly maxAttempts?: number;
}

/** SDK attempts per call when no option says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 1;

export function newEc2Client(options: Ec2ClientOptions): EC2Client {
  return new EC2Client({
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

/** A stable key for a client's identity that does not keep the secret itself in a Map key. */
export function connectionKey(options: Ec2ClientOptions): string {
  const c = options.credentials;
  const hash = createHash('sha256');
  hash.update([options.region, options.endpoint ?? '', c?.accessKeyId ?? '', c?.secretAccessKey ?? '', c?.sessionToken ?? ''].join('\0'));
  return hash.digest('hex');
}

/** Why a credentials Secret could not be used; the message names the Secret and keys, never their values. */
export class CredentialsSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsSecretError';
  }
}

/**
 * Credentials from a Secret's data: aws_access_key_id + aws_secret_access_key (+ optional aws_session_token),
 * or a shared credentials file under key `credentials` (its [default] profile, static keys only).
 */
export function credentialsFromSecret(data: Readonly<Record<string, Buffer>>, secret: string): AwsCredentials {
  const keyId = data.aws_access_key_id?.toString('utf8').trim();
  const secretKey = data.aws_secret_access_key?.toString('utf8').trim();
  if (keyId && secretKey) {
    const token = data.aws_session_token?.toString('utf8').trim();
    return { accessKeyId: keyId, secretAccessKey: secretKey, ...(token ? { sessionToken: token } : {}) };
  }
  const file = data.credentials?.toString('utf8');
  if (file !== undefined) {
    const profile = defaultProfile(file);
    if (profile.role_arn || profile.web_identity_token_file || profile.credential_process) {
      throw new CredentialsSecretError(`Secret ${secret} key "credentials": role_arn, web_identity_token_file and credential_process profiles are not supported; give static keys`);
    }
    if (profile.aws_access_key_id && profile.aws_secret_access_key) {
      return {
        accessKeyId: profile.aws_access_key_id,
        secretAccessKey: profile.aws_secret_access_key,
        ...(profile.aws_session_token ? { sessionToken: profile.aws_session_token } : {}),
      };
    }
    throw new CredentialsSecretError(`Secret ${secret} key "credentials": its [default] profile has no aws_access_key_id and aws_secret_access_key`);
  }
  throw new CredentialsSecretError(`Secret ${secret} has neither keys aws_access_key_id and aws_secret_access_key nor a "credentials" file`);
}

/** The [default] profile of an INI shared-credentials file (or its only profile). */
function defaultProfile(text: string): Record<string, string> {
  const profiles = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = {};
      profiles.set(section[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return profiles.get('default') ?? (profiles.size === 1 ? [...profiles.values()][0] : {});
}

/** Page size of DescribeInstances with filters (EC2's maximum). */
const DESCRIBE_PAGE_SIZE = 1000;

/** Every instance matching `filters`, across pages. */
export async function describeInstances(ec2: EC2Client, filters: Filter[], signal: AbortSignal): Promise<Instance[]> {
  const instances: Instance[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand({ Filters: filters, MaxResults: DESCRIBE_PAGE_SIZE, NextToken: nextToken }), { abortSignal: signal });
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return instances;
}
