// The `@symbol` picker: a quick pick that asks the workspace symbol providers as the user types
// (`vscode.executeWorkspaceSymbolProvider`), then reads the chosen symbol's source.
import * as vscode from "vscode";
import type { SymbolSource } from "../../core/chat/context/symbol.js";

/** Providers answer per keystroke; a short pause keeps a fast typist from queueing queries. */
const queryDelayMs = 150;
const maxItems = 200;

interface SymbolItem extends vscode.QuickPickItem {
  symbol: vscode.SymbolInformation;
}

/** The symbol the user picked, or undefined when the pick was dismissed. */
export async function pickSymbol(): Promise<vscode.SymbolInformation | undefined> {
  const pick = vscode.window.createQuickPick<SymbolItem>();
  pick.placeholder = "Attach a symbol to the chat: type its name";
  pick.matchOnDescription = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  pick.onDidChangeValue((query) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      pick.busy = true;
      const found = (await vscode.commands.executeCommand<vscode.SymbolInformation[]>("vscode.executeWorkspaceSymbolProvider", query)) ?? [];
      if (pick.value !== query) return;
      pick.items = found.slice(0, maxItems).map((symbol) => ({
        label: symbol.name,
        description: `${vscode.SymbolKind[symbol.kind]} · ${vscode.workspace.asRelativePath(symbol.location.uri, false)}:${symbol.location.range.start.line + 1}`,
        symbol,
      }));
      pick.busy = false;
    }, queryDelayMs);
  });
  const chosen = await new Promise<SymbolItem | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  clearTimeout(timer);
  pick.dispose();
  return chosen?.symbol;
}

/**
 * The symbol's source. Some providers give only the name's range: then the document's symbols give
 * the declaration's whole range (the innermost one at that position with the same name).
 */
export async function symbolSource(symbol: vscode.SymbolInformation): Promise<SymbolSource> {
  const document = await vscode.workspace.openTextDocument(symbol.location.uri);
  let range = symbol.location.range;
  if (range.isSingleLine) {
    const outline = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>("vscode.executeDocumentSymbolProvider", document.uri)) ?? [];
    const matches: vscode.DocumentSymbol[] = [];
    const visit = (list: vscode.DocumentSymbol[]) => {
      for (const item of list) {
        if (item.name === symbol.name && item.range.contains(range.start)) matches.push(item);
        visit(item.children ?? []);
      }
    };
    visit(Array.isArray(outline) ? outline : []);
    range = matches.at(-1)?.range ?? range;
  }
  const whole = new vscode.Range(range.start.line, 0, range.end.line, document.lineAt(range.end.line).text.length);
  return {
    name: symbol.name,
    kind: vscode.SymbolKind[symbol.kind]?.toLowerCase() ?? "symbol",
    path: vscode.workspace.asRelativePath(document.uri, false),
    languageId: document.languageId,
    startLine: range.start.line,
    text: document.getText(whole),
  };
}
