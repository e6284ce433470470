// Gathers this machine's facts for the recommendation. The engine process is the only place that
// loads node-llama-cpp, so the editor asks a short-lived engine process (`engine/hardware`): the
// backend it would load and the devices and VRAM behind it, for NVIDIA, AMD, Intel and Apple
// alike. When that fails (no binary for this platform, a crash), nvidia-smi and the platform give
// a first guess; the engine decides the real offload at load time either way.
import { execFile, fork } from "node:child_process";
import os from "node:os";
import { IPCMessageReader, IPCMessageWriter, createMessageConnection } from "vscode-jsonrpc/node";
import { describeEngineHardware, describeHardware } from "../../core/models/hardwareDescription.js";
import type { HardwareDescription } from "../../core/models/recommendation.js";
import { HardwareReport, Methods } from "../../protocol/engine.js";
import { engineProcessEnv } from "../../supervisor/engineSupervisor.js";

/** Loading llama.cpp and probing the GPUs takes 1–5 s; a hung driver must not hold the welcome. */
const engineProbeTimeoutMs = 30_000;

function nvidiaSmi(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"], { timeout: 3000, windowsHide: true }, (error, stdout) =>
      resolve(error ? null : stdout),
    );
  });
}

/** The engine's hardware report, or the reason there is none. */
export async function askEngine(enginePath: string, timeoutMs = engineProbeTimeoutMs): Promise<HardwareReport | Error> {
  const child = fork(enginePath, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], env: engineProcessEnv(process.env), execArgv: [], serialization: "json" });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<Error>((resolve) => {
    child.on("error", resolve);
    child.on("exit", (code, signal) => resolve(new Error(`the engine exited (${signal ?? code}) ${stderr.trim().slice(-500)}`)));
  });
  const timedOut = new Promise<Error>((resolve) => (timer = setTimeout(() => resolve(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
  const answered = connection.sendRequest(Methods.hardware, {}).then(
    (raw) => {
      const parsed = HardwareReport.safeParse(raw);
      return parsed.success ? parsed.data : new Error(`unexpected answer: ${parsed.error.message}`);
    },
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  try {
    return await Promise.race([answered, exited, timedOut]);
  } finally {
    clearTimeout(timer);
    connection.dispose();
    child.kill();
  }
}

export interface ProbedHardware {
  hardware: HardwareDescription;
  /** The engine's message about a GPU it cannot use, if any. */
  gpuUnavailable: string | null;
  /** Why the engine's report is missing and the description is a guess, if it is. */
  probeError?: string;
}

let cached: Promise<ProbedHardware> | undefined;

export function probeHardware(enginePath: string): Promise<ProbedHardware> {
  cached ??= (async () => {
    const report = await askEngine(enginePath);
    if (!(report instanceof Error)) return { hardware: describeEngineHardware(report), gpuUnavailable: report.gpuUnavailable };
    const hardware = describeHardware({
      platform: process.platform,
      arch: process.arch,
      ramBytes: os.totalmem(),
      nvidiaSmi: process.platform === "darwin" ? null : await nvidiaSmi(),
    });
    return { hardware, gpuUnavailable: null, probeError: report.message };
  })();
  return cached;
}
