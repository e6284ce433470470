// Chat prompts in the format the loaded model declares in its GGUF (`tokenizer.chat_template`).
// DeepSeek-Coder-V2(-Lite): "User: …\n\nAssistant: …<eos>"; V3 family: <｜User｜>…<｜Assistant｜>…,
// with its own tool-call and tool-output tokens. We render these two families ourselves instead of
// running the Jinja text: both templates are fixed strings per family, and rendering segment by
// segment keeps message content plain text (a user cannot type a control token into the prompt).
import type { ChatMessage } from "../engine/chatEngine.js";
import type { PromptSegment } from "../../protocol/engine.js";

export type ChatTemplateKind = "deepseek-coder-v2" | "deepseek-v3";

/**
 * Picks the template family from the Jinja template text in the GGUF. A file without a template
 * (or with one we do not know) gets the Coder-V2 format, the family this extension targets.
 */
export function detectChatTemplate(jinja: string | null): ChatTemplateKind {
  if (jinja && jinja.includes("<｜User｜>") && jinja.includes("<｜Assistant｜>")) return "deepseek-v3";
  return "deepseek-coder-v2";
}

export interface RenderedChat {
  prompt: PromptSegment[];
  /** Text that ends the assistant's turn when the model writes it instead of the EOS token. */
  stopStrings: string[];
}

const special = (text: string): PromptSegment => ({ text, parseSpecial: true });
const plain = (text: string): PromptSegment => ({ text });

/**
 * How an assistant turn that asked for tools is written back into a Coder-V2 prompt: the exact
 * JSON step the local model produced (localChat.ts), so the next request reuses its KV.
 */
export function coderToolStepText(message: ChatMessage): string {
  const call = message.toolCalls?.[0];
  if (!call) return message.content;
  return JSON.stringify({ tool: call.name, arguments: safeParse(call.arguments) });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The generated answer usually starts with the space that follows "Assistant:"; keep it as it was
 * generated so the next turn's prompt matches the KV of this one token for token.
 */
function coderAssistantText(content: string): string {
  return content.startsWith(" ") || content.startsWith("\n") ? `Assistant:${content}` : `Assistant: ${content}`;
}

function renderCoderV2(messages: readonly ChatMessage[], assistantPrefix: string): PromptSegment[] {
  const prompt: PromptSegment[] = [{ token: "bos" }];
  for (const message of messages) {
    switch (message.role) {
      case "system":
        prompt.push(plain(`${message.content}\n\n`));
        break;
      case "user":
        prompt.push(plain(`User: ${message.content}\n\n`));
        break;
      case "tool":
        // The template has no tool role: the result comes back as the user's next message.
        prompt.push(plain(`User: Tool result (${message.toolCallId ?? "tool"}):\n${message.content}\n\n`));
        break;
      case "assistant":
        prompt.push(plain(coderAssistantText(message.toolCalls?.length ? coderToolStepText(message) : message.content)), { token: "eos" });
        break;
    }
  }
  prompt.push(plain(assistantPrefix ? coderAssistantText(assistantPrefix) : "Assistant:"));
  return prompt;
}

function renderV3(messages: readonly ChatMessage[], assistantPrefix: string): PromptSegment[] {
  const prompt: PromptSegment[] = [{ token: "bos" }];
  // All system messages come first, joined by a blank line, as the template does.
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  if (system.length) prompt.push(plain(system.join("\n\n")));
  let inToolOutputs = false;
  const closeToolOutputs = () => {
    if (inToolOutputs) prompt.push(special("<｜tool▁outputs▁end｜>"));
    const wasInToolOutputs = inToolOutputs;
    inToolOutputs = false;
    return wasInToolOutputs;
  };
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role === "tool") {
      prompt.push(special(inToolOutputs ? "\n<｜tool▁output▁begin｜>" : "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>"));
      prompt.push(plain(message.content), special("<｜tool▁output▁end｜>"));
      inToolOutputs = true;
      continue;
    }
    const afterTools = closeToolOutputs();
    if (message.role === "user") {
      prompt.push(special("<｜User｜>"), plain(message.content));
    } else if (message.toolCalls?.length) {
      prompt.push(special("<｜Assistant｜>"));
      if (message.content) prompt.push(plain(message.content));
      prompt.push(special("<｜tool▁calls▁begin｜>"));
      message.toolCalls.forEach((call, index) => {
        prompt.push(special(`${index ? "\n" : ""}<｜tool▁call▁begin｜>function<｜tool▁sep｜>`));
        prompt.push(plain(`${call.name}\n\`\`\`json\n${call.arguments}\n\`\`\``), special("<｜tool▁call▁end｜>"));
      });
      prompt.push(special("<｜tool▁calls▁end｜>"), { token: "eos" });
    } else {
      // After tool outputs the answer follows directly, without a new <｜Assistant｜>.
      if (!afterTools) prompt.push(special("<｜Assistant｜>"));
      prompt.push(plain(message.content), { token: "eos" });
    }
  }
  if (!closeToolOutputs()) prompt.push(special("<｜Assistant｜>"));
  if (assistantPrefix) prompt.push(plain(assistantPrefix));
  return prompt;
}

/** The prompt for the next assistant turn; `assistantPrefix` is text the answer must start with. */
export function renderChatPrompt(kind: ChatTemplateKind, messages: readonly ChatMessage[], assistantPrefix = ""): RenderedChat {
  if (kind === "deepseek-v3") return { prompt: renderV3(messages, assistantPrefix), stopStrings: ["<｜User｜>"] };
  return { prompt: renderCoderV2(messages, assistantPrefix), stopStrings: ["\nUser:"] };
}

/** The prompt as one string (special tokens written out): for tests, logs and token estimates. */
export function promptToText(prompt: readonly PromptSegment[], specialText: { bos: string; eos: string }): string {
  return prompt.map((segment) => ("token" in segment ? (segment.token === "bos" ? specialText.bos : segment.token === "eos" ? specialText.eos : "") : segment.text)).join("");
}
