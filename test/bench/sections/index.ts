// Every bench section, in the order they run. Adding one: a file in this folder and a line here.
import type { BenchSection } from "../types";
import { agent } from "./agent";
import { bandwidth } from "./bandwidth";
import { cache } from "./cache";
import { chat } from "./chat";
import { editor, editorReal } from "./editor";
import { engine } from "./engine";
import { fim } from "./fim";
import { real } from "./real";
import { refactor } from "./refactor";
import { remote } from "./remote";
import { sharedEngine, sharedEngineReal } from "./sharedEngine";
import { team } from "./team";

export const sections: readonly BenchSection[] = [
  bandwidth,
  engine,
  sharedEngine,
  cache,
  fim,
  chat,
  remote,
  refactor,
  agent,
  editor,
  team,
  real,
  editorReal,
  sharedEngineReal,
];
