// Where the chat runs, in the words the chat page shows: "nothing leaves this machine" is true only
// when the chat's backend is the local engine (issue 19, item 7).

export type ChatLocation = { kind: "local" } | { kind: "remote"; baseUrl: string | undefined };

export function describeChatLocation(location: ChatLocation): string {
  if (location.kind === "local") return "Runs on this machine; nothing leaves it.";
  let host: string | undefined;
  try {
    host = location.baseUrl ? new URL(location.baseUrl).host : undefined;
  } catch {
    host = undefined;
  }
  const where = host ? `the server ${host}` : "a remote server (deepseekLocal.remote.baseUrl)";
  return `Runs on ${where}: your messages, attached files and what the tools read are sent there.`;
}
