/**
 * @internal Whether a request carries a header that another site's page
 * cannot make a browser send without a CORS preflight, which only the app's
 * own CORS policy can allow. An HTML form, or a "simple" `fetch`, can only
 * send the CORS-safelisted headers (Fetch standard §4.1); the browser adds
 * its own (cookies included) and the proxies in front of the app add theirs
 * to every request, whoever sent it. None of those proves anything.
 */

/** CORS-safelisted request headers: a cross-site page may set them freely. `Content-Type` is judged apart. */
const SAFELISTED: readonly string[] = ['accept', 'accept-language', 'content-language', 'content-type', 'range'];

/** Headers browsers send on their own (the Fetch standard's forbidden names, client hints, navigation headers). */
const BROWSER_SET: readonly string[] = [
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'access-control-request-private-network',
  'attribution-reporting-eligible',
  'cache-control',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'device-memory',
  'downlink',
  'dnt',
  'dpr',
  'ect',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'pragma',
  'priority',
  'purpose',
  'referer',
  'rtt',
  'save-data',
  'service-worker',
  'service-worker-navigation-preload',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'upgrade-insecure-requests',
  'user-agent',
  'via',
  'viewport-width',
  'width',
  'x-client-data',
];

/**
 * Headers that load balancers, CDNs, tracing and identity-aware proxies add
 * to every request they pass on. Identity proxies derive theirs from the
 * user's cookie, which makes them exactly as ambient as the cookie.
 */
const INFRASTRUCTURE_SET: readonly string[] = [
  'b3',
  'baggage',
  'cdn-loop',
  'connect-time',
  'early-data',
  'forwarded',
  'remote-email',
  'remote-groups',
  'remote-name',
  'remote-user',
  'total-route-time',
  'traceparent',
  'tracestate',
  'true-client-ip',
  'x-client-ip',
  'x-cloud-trace-context',
  'x-cluster-client-ip',
  'x-correlation-id',
  'x-queue-start',
  'x-real-ip',
  'x-request-id',
  'x-request-start',
  'x-scheme',
];

/** Name prefixes of headers set by browsers (`sec-`, `proxy-`) or by infrastructure. */
const AMBIENT_PREFIXES: readonly string[] = [
  'sec-',
  'proxy-',
  'akamai-',
  'cf-',
  'cloudfront-',
  'fastly-',
  'fly-',
  'x-akamai-',
  'x-amz-',
  'x-amzn-',
  'x-appengine-',
  'x-arr-',
  'x-auth-request-',
  'x-azure-',
  'x-b3-',
  'x-datadog-',
  'x-envoy-',
  'x-forwarded-',
  'x-goog-',
  'x-ms-',
  'x-original-',
  'x-pomerium-',
  'x-ssl-',
  'x-vercel-',
];

const AMBIENT = new Set([...SAFELISTED, ...BROWSER_SET, ...INFRASTRUCTURE_SET]);

/** `Authorization` schemes browsers send by themselves once the user has logged in to the site. */
const AMBIENT_SCHEMES: readonly string[] = ['basic', 'digest', 'negotiate', 'ntlm'];

/** @internal Header names (lower case, or a prefix ending in `-*`) a deployment declares ambient on top of the built-in list. */
export interface AmbientHeaders {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export const NO_EXTRA_AMBIENT: AmbientHeaders = { names: new Set(), prefixes: [] };

function isAmbient(name: string, extra: AmbientHeaders): boolean {
  if (AMBIENT.has(name) || extra.names.has(name)) return true;
  return AMBIENT_PREFIXES.some((prefix) => name.startsWith(prefix)) || extra.prefixes.some((p) => name.startsWith(p));
}

function authorizationProves(value: string | undefined): boolean {
  if (value === undefined) return false;
  const scheme = value.trim().split(/[ \t]/, 1)[0]!.toLowerCase();
  return scheme !== '' && !AMBIENT_SCHEMES.includes(scheme);
}

/**
 * True when the request carries `Authorization` with a scheme browsers do
 * not send on their own (`Bearer`), or any header outside the safelisted,
 * browser-set and infrastructure-set ones (for example `X-Requested-With`,
 * `X-CSRF-Token`, or the app's own session header).
 */
export function carriesPreflightedHeader(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  extra: AmbientHeaders = NO_EXTRA_AMBIENT,
): boolean {
  for (const name of Object.keys(headers)) {
    if (name === 'authorization') {
      const value = headers[name];
      if (authorizationProves(Array.isArray(value) ? value[0] : value)) return true;
    } else if (!isAmbient(name, extra)) {
      return true;
    }
  }
  return false;
}
