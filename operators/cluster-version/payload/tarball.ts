// Payloads from a tarball over HTTP(S): GET the URL, then read it as a .tar or .tar.gz.
import type { ReleasePayload } from '../contracts.ts';
import { payloadFromTarball } from './directory.ts';
import { PayloadError } from './errors.ts';
import type { ManifestFilter } from './filter.ts';
import { describeFetchError, withHttpClient, type HttpOptions } from './http.ts';

export interface TarballOptions extends HttpOptions, ManifestFilter {
  readonly signal?: AbortSignal;
}

export async function loadPayloadFromTarball(url: string, options: TarballOptions = {}): Promise<ReleasePayload> {
  const archive = await withHttpClient(options, async (client) => {
    let response;
    try {
      response = await client.request(url, { signal: options.signal });
    } catch (err) {
      throw new PayloadError('RetrievePayload', `GET ${url}: ${describeFetchError(err)}`, { cause: err });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new PayloadError('RetrievePayload', `GET ${url}: ${response.status} ${response.statusText}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  });
  return payloadFromTarball(archive, url, options);
}
