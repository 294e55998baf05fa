/** Header sets of requests a signed-in browser can be made to send by another site, and of what proxies add. */

/** The headers a browser sends with a cross-site HTML form post (Chromium), with bob's session cookie. */
export const FORM_POST: Readonly<Record<string, string>> = {
  origin: 'https://evil.example',
  referer: 'https://evil.example/prize.html',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  'cache-control': 'max-age=0',
  'upgrade-insecure-requests': '1',
  'sec-ch-ua': '"Chromium";v="124"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-user': '?1',
  priority: 'u=0, i',
  cookie: 'test_session=bob',
};

/** A cross-site `fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' })` or beacon: no body. */
export const NO_CORS_POST: Readonly<Record<string, string>> = {
  origin: 'https://evil.example',
  referer: 'https://evil.example/prize.html',
  'user-agent': FORM_POST['user-agent']!,
  accept: '*/*',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  'sec-fetch-dest': 'empty',
  'sec-fetch-mode': 'no-cors',
  'sec-fetch-site': 'cross-site',
  cookie: 'test_session=bob',
};

/** What the proxies and CDNs in front of an app add to every request, whoever sent it. */
export const PROXY_ADDED: Readonly<Record<string, string>> = {
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-proto': 'https',
  'x-real-ip': '203.0.113.7',
  forwarded: 'for=203.0.113.7;proto=https',
  via: '1.1 proxy',
  'x-request-id': 'f0e1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'cf-connecting-ip': '203.0.113.7',
  'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
};
