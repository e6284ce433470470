// The editor's question to a short-lived engine process (engine/hardware): a process that never
// answers, answers nonsense or does not know the request gives an Error, never a hang.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { askEngine } from "../../../src/vscode/models/hostHardware";

const dir = mkdtempSync(path.join(os.tmpdir(), "dsl-ask-engine-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function engineScript(name: string, body: string): string {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return file;
}

describe("askEngine", () => {
  it("times out on an engine that never answers, and ends it", async () => {
    const pidFile = path.join(dir, "silent.pid");
    const silent = engineScript("silent", `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => undefined, 1000);\n`);
    const started = Date.now();
    const answer = await askEngine(silent, 1500);
    expect(answer).toBeInstanceOf(Error);
    expect((answer as Error).message).toMatch(/no answer within 1500 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(readFileSync(pidFile, "utf8"));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const deadline = Date.now() + 5000; alive() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });

  it("an engine that exits says how, with its stderr", async () => {
    const crashing = engineScript("crashing", "console.error('GGML_ASSERT(fake) failed'); process.exit(3);\n");
    const answer = await askEngine(crashing, 20_000);
    expect(answer).toBeInstanceOf(Error);
    expect((answer as Error).message).toMatch(/exited \(3\).*GGML_ASSERT/s);
  });

  it("an answer that is not a hardware report is refused", async () => {
    const wrong = engineScript(
      "wrong",
      `import jsonrpc from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve("vscode-jsonrpc/node.js")).href)};
const c = jsonrpc.createMessageConnection(new jsonrpc.IPCMessageReader(process), new jsonrpc.IPCMessageWriter(process));
c.onRequest("engine/hardware", () => ({ gpu: "quantum", gpuDevices: "all" }));
c.listen();
`,
    );
    const answer = await askEngine(wrong, 20_000);
    expect(answer).toBeInstanceOf(Error);
    expect((answer as Error).message).toMatch(/unexpected answer/);
  });
});
