// Opens a model file for loading: every problem we can see before llama.cpp touches the file
// becomes a typed error naming the file and the cause.
import { open, stat } from "node:fs/promises";
import os from "node:os";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { findModelFileProblem } from "../core/models/ggufCheck.js";
import { GgufFormatError, handleSource, readGgufHeader, type GgufHeader } from "../core/models/ggufMetadata.js";
import { EngineError } from "../protocol/engine.js";

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

  // Our own bounded parse first (issue 19): node-llama-cpp's header reader and llama.cpp trust the
  // counts in the header, so a file claiming 2^40 tensors or array items made them run for minutes
  // or crash. Only a header that fits its file goes further.
  const header = await readCheckedHeader(path, sizeBytes);
  const problem = findModelFileProblem({
    path,
    fileSize: sizeBytes,
    architecture: typeof header.values["general.architecture"] === "string" ? header.values["general.architecture"] : undefined,
    tensors: header.tensors ?? [],
    availableMemoryBytes: os.totalmem(),
  });
  if (problem) throw new EngineError(problem.code, problem.message);

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false, spliceSplitFiles: false });
  } catch (error) {
    throw new EngineError("notGguf", `${path} has an unreadable GGUF header (${(error as Error).message}). The file is damaged; download it again.`);
  }
  return { path, sizeBytes, info };
}

async function readCheckedHeader(path: string, sizeBytes: number): Promise<GgufHeader> {
  const handle = await open(path, "r");
  try {
    // Arrays (the vocabulary) are only counted here; node-llama-cpp reads them once the header is known to be sane.
    return await readGgufHeader(handleSource(handle, sizeBytes), { tensors: true, keepArray: () => false });
  } catch (error) {
    if (!(error instanceof GgufFormatError)) throw error;
    if (error.problem === "notGguf" && /does not start/.test(error.message)) {
      throw new EngineError("notGguf", `${path} is not a GGUF model file (it does not start with "GGUF"). Pick a .gguf file.`);
    }
    throw new EngineError(
      error.problem === "truncated" ? "truncatedModel" : "notGguf",
      `${path} has a damaged GGUF header: ${error.message}. llama.cpp was not asked to load it; download the model again.`,
    );
  } finally {
    await handle.close();
  }
}
