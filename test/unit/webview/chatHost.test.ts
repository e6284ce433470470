// The chat page as the host builds and serves it (issue 24): its Content-Security-Policy runs only
// the bundle carrying this render's nonce, and the host opens only web and mail links the page
// hands it — never javascript:, file: or command: ones.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { ChatSession } from "../../../src/core/chat/chatSession.js";
import { chatHtml, ChatViewProvider } from "../../../src/vscode/chat/chatViewProvider.js";
import { Uri } from "../../fixtures/fakeVscode.js";

const opened = vi.hoisted(() => [] as string[]);

vi.mock("vscode", async () => {
  const { vscode, Uri: FakeUri } = await import("../../fixtures/fakeVscode.js");
  return {
    ...vscode,
    Uri: Object.assign(FakeUri, {
      joinPath: (base: Uri, ...parts: string[]) => FakeUri.from({ scheme: base.scheme, path: [base.path, ...parts].join("/") }),
    }),
    env: { ...vscode.env, openExternal: async (uri: Uri) => void opened.push(`${uri.scheme}:${uri.path}`) },
  };
});

const mediaRoot = Uri.file("/ext/media") as unknown as vscode.Uri;
const webview = {
  cspSource: "https://file+.vscode-resource.vscode-cdn.net",
  asWebviewUri: (uri: Uri) => `https://file+.vscode-resource.vscode-cdn.net${uri.path}`,
} as unknown as vscode.Webview;

/** The CSP's directives, name → sources. */
function cspOf(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  expect(content, "the page has a CSP meta tag").toBeDefined();
  return new Map(content!.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

describe("chatHtml", () => {
  it("allows nothing by default, and scripts only by this render's nonce", () => {
    const html = chatHtml(webview, mediaRoot);
    const csp = cspOf(html);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    const scriptSources = csp.get("script-src")!;
    expect(scriptSources).toHaveLength(1);
    expect(scriptSources[0]).toMatch(/^'nonce-[A-Za-z0-9+/=]{24,}'$/);
    for (const sources of csp.values()) {
      expect(sources).not.toContain("'unsafe-inline'");
      expect(sources).not.toContain("'unsafe-eval'");
      expect(sources).not.toContain("*");
    }
  });

  it("gives the nonce to the one script, the bundle from media/", () => {
    const html = chatHtml(webview, mediaRoot);
    const nonce = /'nonce-([^']+)'/.exec(html)![1];
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toEqual([` nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/media/dist/chat.js"`]);
  });

  it("makes a new nonce for every render", () => {
    const nonces = new Set([0, 1, 2].map(() => /'nonce-([^']+)'/.exec(chatHtml(webview, mediaRoot))![1]));
    expect(nonces.size).toBe(3);
  });
});

describe("links the page hands to the host", () => {
  let receive: (message: unknown) => void;

  beforeEach(() => {
    opened.length = 0;
    const provider = new ChatViewProvider({} as ChatSession, mediaRoot, () => undefined);
    const view = {
      webview: { ...webview, options: {}, html: "", postMessage: async () => true, onDidReceiveMessage: (listener: (m: unknown) => void) => ((receive = listener), { dispose() {} }) },
      onDidDispose: () => ({ dispose() {} }),
    };
    provider.resolveWebviewView(view as unknown as vscode.WebviewView);
  });

  async function openLink(href: string): Promise<void> {
    receive({ type: "openLink", href });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  it("opens web and mail links outside the editor (the control case)", async () => {
    await openLink("https://example.com/docs");
    await openLink("mailto:team@example.com");
    expect(opened).toEqual(["https://example.com/docs", "mailto:team@example.com"]);
  });

  for (const href of ["javascript:alert(document.cookie)", "file:///etc/passwd", "command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D", "vscode://settings/editor"]) {
    it(`refuses ${href.slice(0, href.indexOf(":") + 1)} links`, async () => {
      await openLink(href);
      expect(opened).toEqual([]);
    });
  }
});
