// Which redirects a model download follows. The Location header is untrusted: a download that began
// over https never continues over http (anyone on the path could then replace the model), only
// http(s) targets without credentials are followed, and the chain is bounded.

export const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export const maxDownloadRedirects = 8;

export type RedirectDecision =
  | { follow: true; url: URL; sameOrigin: boolean }
  | { follow: false; code: "insecureRedirect" | "badRedirect"; message: string };

/**
 * Decides whether to follow a redirect from `current` (reached after `redirectsSoFar` redirects, in
 * a chain that started at `original`) to `location`.
 */
export function decideRedirect(original: URL, current: URL, location: string | undefined, redirectsSoFar: number): RedirectDecision {
  const refuse = (code: "insecureRedirect" | "badRedirect", why: string): RedirectDecision => ({
    follow: false,
    code,
    message: `The download of ${original.href} was redirected ${why}; it was stopped.`,
  });
  if (redirectsSoFar >= maxDownloadRedirects) return refuse("badRedirect", `more than ${maxDownloadRedirects} times`);
  if (!location || location.length > 8192) return refuse("badRedirect", "without a usable address");
  let next: URL;
  try {
    next = new URL(location.trim(), current);
  } catch {
    return refuse("badRedirect", "to an address that cannot be read");
  }
  if (next.protocol !== "https:" && next.protocol !== "http:") return refuse("badRedirect", `to a ${next.protocol} address`);
  if (next.username || next.password) return refuse("badRedirect", "to an address with embedded credentials");
  // Once any hop was https, every later hop must be too.
  if (next.protocol === "http:" && (original.protocol === "https:" || current.protocol === "https:")) {
    return refuse("insecureRedirect", `from https to an insecure http: address (${next.origin})`);
  }
  return { follow: true, url: next, sameOrigin: next.origin === current.origin };
}
