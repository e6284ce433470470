// Plain http:// is readable and forgeable by anyone on the path. It is fine to this machine; to any
// other host the user must have said yes to that host first (issue 19, item 9).

/** True for names that resolve to this machine without leaving it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The host (with port) that a request to `url` would reach over plain http, when that host is not this
 * machine; undefined for https and loopback. It is what the user is asked about, and what is remembered.
 */
export function plainHttpHost(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" || isLoopbackHost(parsed.hostname)) return undefined;
  return parsed.host.toLowerCase();
}
