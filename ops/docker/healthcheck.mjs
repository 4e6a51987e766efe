// Container healthcheck: exits 0 when the URL answers 2xx within 3 s. The runtime image has no
// curl or wget, and this starts in plain Node without the TypeScript loader.
const url = process.argv[2];
if (!url) {
  console.error('usage: node ops/docker/healthcheck.mjs <url>');
  process.exit(2);
}
fetch(url, { signal: AbortSignal.timeout(3000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
