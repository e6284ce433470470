import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { OtherProcessesLoad } from "../../../src/engine/cpuLoad.js";

describe("OtherProcessesLoad", () => {
  it("sees another process keeping a core busy", async () => {
    const load = new OtherProcessesLoad(0);
    const busy = spawn(process.execPath, ["-e", "const end = Date.now() + 1500; while (Date.now() < end) {}"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      load.busyCores();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // At least a quarter of a core, even where the test runner's other workers share the machine.
      expect(load.busyCores()).toBeGreaterThan(0.25);
    } finally {
      busy.kill("SIGKILL");
    }
  });
});
