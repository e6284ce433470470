import { describe, expect, it } from "vitest";
import { decideRedirect, maxDownloadRedirects } from "../../../src/core/models/download/redirectPolicy";

const hf = new URL("https://huggingface.co/o/r/resolve/main/m.gguf");

describe("download redirect policy", () => {
  it("follows https → https, across origins (the CDN), and says whether the origin changed", () => {
    const cdn = decideRedirect(hf, hf, "https://cdn-lfs.hf.co/o/r/abc?sig=1", 0);
    expect(cdn).toMatchObject({ follow: true, sameOrigin: false });
    const relative = decideRedirect(hf, hf, "/o/r2/resolve/main/m.gguf", 0);
    expect(relative).toMatchObject({ follow: true, sameOrigin: true });
    if (relative.follow) expect(relative.url.href).toBe("https://huggingface.co/o/r2/resolve/main/m.gguf");
  });

  it("refuses a downgrade from https to http, at any hop", () => {
    const direct = decideRedirect(hf, hf, "http://cdn.example/m.gguf", 0);
    expect(direct).toMatchObject({ follow: false, code: "insecureRedirect" });
    if (!direct.follow) expect(direct.message).toMatch(/https to an insecure http:/);
    const later = decideRedirect(hf, new URL("https://cdn.example/a"), "http://cdn.example/b", 3);
    expect(later).toMatchObject({ follow: false, code: "insecureRedirect" });
    // A chain that started over https stays https even if a hop was relative to an http URL somehow.
    expect(decideRedirect(hf, new URL("http://x.example/"), "/y", 1)).toMatchObject({ follow: false, code: "insecureRedirect" });
  });

  it("allows http → http and an upgrade to https for a plain-http URL (a local mirror)", () => {
    const local = new URL("http://127.0.0.1:8080/m.gguf");
    expect(decideRedirect(local, local, "/other.gguf", 0)).toMatchObject({ follow: true, sameOrigin: true });
    expect(decideRedirect(local, local, "https://mirror.example/m.gguf", 0)).toMatchObject({ follow: true, sameOrigin: false });
  });

  it("refuses other schemes, credentials, missing or unreadable locations, and long chains", () => {
    for (const location of ["file:///etc/passwd", "ftp://x/m.gguf", "data:text/plain,x", "javascript:alert(1)"]) {
      expect(decideRedirect(hf, hf, location, 0)).toMatchObject({ follow: false, code: "badRedirect" });
    }
    expect(decideRedirect(hf, hf, "https://user:pw@cdn.example/m", 0)).toMatchObject({ follow: false, code: "badRedirect" });
    expect(decideRedirect(hf, hf, undefined, 0)).toMatchObject({ follow: false, code: "badRedirect" });
    expect(decideRedirect(hf, hf, "http://[::1", 0)).toMatchObject({ follow: false, code: "badRedirect" });
    expect(decideRedirect(hf, hf, "https://cdn.example/m", maxDownloadRedirects)).toMatchObject({ follow: false, code: "badRedirect" });
  });
});
