// The log line of each remote request (issue 26): the README promises the URL, the status and the
// time in the DeepSeek Local channel, and never keys or code. A query string may carry a token and
// credentials in a URL are secrets: neither reaches the log.
import { afterEach, describe, expect, it } from "vitest";
import { HttpTransport, loggableUrl } from "../../../src/backends/http/httpTransport.js";
import { sendJson, startFakeServer, type FakeServer } from "../../backends/fakeServer.js";

let server: FakeServer | undefined;
afterEach(async () => void (await server?.close()));

const apiKey = "sk-test-0123456789abcdef";

function transportLogging(lines: string[]): HttpTransport {
  return new HttpTransport({
    apiKey: () => apiKey,
    requestTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    retry: { maxRetries: 0, baseDelayMs: 10, maxDelayMs: 10 },
    log: (line) => lines.push(line),
  });
}

describe("loggableUrl", () => {
  it("keeps origin and path, and drops credentials and the query", () => {
    expect(loggableUrl("https://me:hunter2@gpu-box:8443/v1/chat/completions?key=abc123")).toBe("https://gpu-box:8443/v1/chat/completions?…");
    expect(loggableUrl("http://127.0.0.1:8080/infill")).toBe("http://127.0.0.1:8080/infill");
    expect(loggableUrl("not a url")).toBe("(an invalid URL)");
  });
});

describe("a request's log line", () => {
  it("names method, URL, status and time, one line per request, without the key or the query's token", async () => {
    server = await startFakeServer({ "POST /v1/completions": (_request, res) => sendJson(res, 200, { echoed: apiKey }) });
    const lines: string[] = [];
    await transportLogging(lines).postJson(`${server.url}/v1/completions?token=query-secret-42`, { prompt: "private code" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^POST ${server.url.replace(/\./g, "\\.")}/v1/completions\\?… → 200 in \\d+ ms$`));
    expect(lines.join("\n")).not.toMatch(/query-secret-42|sk-test|private code/);
  });

  it("says the status of a request the server refused", async () => {
    server = await startFakeServer({});
    const lines: string[] = [];
    await expect(transportLogging(lines).getJson(`${server.url}/v1/models`)).rejects.toThrow();
    expect(lines).toEqual([expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/v1\/models → 404 in \d+ ms$/)]);
  });
});
