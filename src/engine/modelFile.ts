// Opens a model file for loading: every problem we can see before llama.cpp touches the file
// becomes a typed error naming the file and the cause.
import { open, stat } from "node:fs/promises";
import os from "node:os";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { findModelFileProblem } from "../core/model/ggufCheck.js";
import { EngineError } from "../protocol/engine.js";

const ggufMagic = Buffer.from("GGUF", "ascii");

export interface CheckedModelFile {
  path: string;
  sizeBytes: number;
  info: GgufFileInfo;
}

export async function checkModelFile(path: string): Promise<CheckedModelFile> {
  let sizeBytes: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new EngineError("modelNotFound", `${path} is not a file. Set deepseekLocal.model.path to a .gguf file.`);
    sizeBytes = stats.size;
  } catch (error) {
    if (error instanceof EngineError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new EngineError(
      "modelNotFound",
      code === "ENOENT"
        ? `Model file not found: ${path}. Check deepseekLocal.model.path or download a model.`
        : `Cannot read the model file ${path}: ${(error as Error).message}`,
    );
  }

  const head = Buffer.alloc(4);
  const handle = await open(path, "r");
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (!head.equals(ggufMagic)) {
    throw new EngineError("notGguf", `${path} is not a GGUF model file (it does not start with "GGUF"). Pick a .gguf file.`);
  }

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false, spliceSplitFiles: false });
  } catch (error) {
    throw new EngineError(
      sizeBytes < 1024 * 1024 ? "truncatedModel" : "notGguf",
      `${path} has an unreadable GGUF header (${(error as Error).message}). The file is damaged or incomplete; download it again.`,
    );
  }

  const problem = findModelFileProblem({
    path,
    fileSize: sizeBytes,
    architecture: info.metadata?.general?.architecture as string | undefined,
    tensors: info.tensorInfo ?? [],
    availableMemoryBytes: os.totalmem(),
  });
  if (problem) throw new EngineError(problem.code, problem.message);
  return { path, sizeBytes, info };
}
