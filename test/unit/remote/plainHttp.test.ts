import { describe, expect, it } from "vitest";
import { isLoopbackHost, plainHttpHost } from "../../../src/core/remote/plainHttp.js";

describe("isLoopbackHost", () => {
  it("knows the names of this machine", () => {
    for (const host of ["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "::ffff:127.0.0.1", "localhost."]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it("treats everything else as another machine", () => {
    for (const host of ["10.0.0.1", "192.168.1.2", "0.0.0.0", "gpu-server", "localhost.example.com", "127.0.0.1.nip.io", "[::2]", "128.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe("plainHttpHost", () => {
  it("names the host:port of plain http to another machine", () => {
    expect(plainHttpHost("http://gpu-server:8080/v1/chat/completions")).toBe("gpu-server:8080");
    expect(plainHttpHost("http://GPU/x")).toBe("gpu");
  });

  it("is undefined for https, loopback and non-URLs", () => {
    expect(plainHttpHost("https://gpu-server:8080")).toBeUndefined();
    expect(plainHttpHost("http://127.0.0.1:8080")).toBeUndefined();
    expect(plainHttpHost("http://[::1]:8080")).toBeUndefined();
    expect(plainHttpHost("not a url")).toBeUndefined();
  });
});
