// The line limit on a server (issue 27 item 4): no server takes a line count, so the HTTP backend
// ends the stream at the limit — which stops generation on the server — and says `lineLimit`.
import { afterEach, describe, expect, it } from "vitest";
import { HttpEngine } from "../../src/backends/http/httpEngine.js";
import { sendEvent, startFakeServer, startSse, textChunk, type FakeServer } from "./fakeServer.js";

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server that streams one line after another and never finishes by itself. */
async function endlessLines(): Promise<FakeServer> {
  const server = await startFakeServer({
    "POST /v1/completions": (_req, res) => {
      startSse(res);
      let line = 0;
      const timer = setInterval(() => sendEvent(res, textChunk(`line${++line}\n`)), 5);
      res.on("close", () => clearInterval(timer));
    },
  });
  servers.push(server);
  return server;
}

describe("HTTP infill with maxLines", () => {
  it("ends the stream once the answer has its lines, with stopReason lineLimit", async () => {
    const server = await endlessLines();
    const engine = new HttpEngine({ baseUrl: server.url, flavor: "openai", model: "m", fim: "suffix", requestTimeoutMs: 3000, idleTimeoutMs: 3000 });
    const shown: string[] = [];
    const result = await engine.infill({ prefix: "a", suffix: "b", maxTokens: 500, maxLines: 3 }, { onText: (t) => shown.push(t) });
    expect(result).toMatchObject({ text: "line1\nline2\nline3", stopReason: "lineLimit" });
    expect(shown.join("")).toBe("line1\nline2\nline3");
    await server.clientClosed("/v1/completions");
  }, 15_000);

  it("a one-line limit ends at the first line break", async () => {
    const server = await endlessLines();
    const engine = new HttpEngine({ baseUrl: server.url, flavor: "openai", model: "m", fim: "suffix", requestTimeoutMs: 3000, idleTimeoutMs: 3000 });
    const result = await engine.infill({ prefix: "a", suffix: "b", maxTokens: 500, maxLines: 1 });
    expect(result).toMatchObject({ text: "line1", stopReason: "lineLimit" });
  }, 15_000);
});
