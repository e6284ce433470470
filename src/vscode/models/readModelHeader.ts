// Reads a GGUF file's metadata from disk with the bounded parser (chunked reads, counts checked
// against the file's size, at most 64 MiB of header), then runs the role checks — before any
// engine loads the file.
import { open } from "node:fs/promises";
import type { ModelRole } from "../../core/models/catalog.js";
import { GgufFormatError, handleSource, readGgufHeader, type GgufMetadata } from "../../core/models/ggufMetadata.js";
import { checkModelHeader, headerFactsFromMetadata, type ModelHeaderVerdict } from "../../core/models/roleCheck.js";

export async function readGgufMetadataFile(file: string): Promise<GgufMetadata> {
  const handle = await open(file, "r");
  try {
    return await readGgufHeader(handleSource(handle, (await handle.stat()).size));
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
