// Reads a GGUF file's metadata from disk in growing prefixes (the DeepSeek vocabulary makes the
// header a few MB), then runs the role checks — before any engine loads the file.
import { open } from "node:fs/promises";
import type { ModelRole } from "../../core/models/catalog.js";
import { GgufFormatError, GgufIncompleteError, parseGgufMetadata, type GgufMetadata } from "../../core/models/ggufMetadata.js";
import { checkModelHeader, headerFactsFromMetadata, type ModelHeaderVerdict } from "../../core/models/roleCheck.js";

const firstReadBytes = 8 * 1024 * 1024;
const maxHeaderBytes = 256 * 1024 * 1024;

export async function readGgufMetadataFile(file: string): Promise<GgufMetadata> {
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    for (let length = Math.min(firstReadBytes, size); ; length = Math.min(length * 4, size, maxHeaderBytes)) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      try {
        return parseGgufMetadata(buffer.subarray(0, bytesRead));
      } catch (error) {
        if (!(error instanceof GgufIncompleteError)) throw error;
        if (length >= size || length >= maxHeaderBytes) {
          throw new GgufFormatError(`the metadata does not end within ${bytesRead} bytes: the file is truncated`);
        }
      }
    }
  } finally {
    await handle.close();
  }
}

export type ModelFileVerdict = ModelHeaderVerdict & { name: string | null };

/** The verdict for a file, or a single "unusable" problem when it is not a readable GGUF. */
export async function checkModelFileRoles(file: string, roles: readonly ModelRole[], contextSize: number): Promise<ModelFileVerdict> {
  let metadata: GgufMetadata;
  try {
    metadata = await readGgufMetadataFile(file);
  } catch (error) {
    const reason = error instanceof GgufFormatError ? error.message : `cannot read it: ${(error as Error).message}`;
    return {
      name: null,
      usableRoles: [],
      problems: [{ code: "notGguf", severity: "unusable", message: `${file} is not a usable GGUF model file (${reason}). Pick a .gguf file.` }],
    };
  }
  const facts = headerFactsFromMetadata(metadata.values);
  return { name: facts.name, ...checkModelHeader(facts, { file, roles, contextSize }) };
}
