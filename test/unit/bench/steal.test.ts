// The bench notes how much CPU the VM's host took (steal), so a slow day is not read as slow code.
import { describe, expect, it } from "vitest";
import { parseCpuTimes, stealSince } from "../../bench/util/steal";

const stat = (steal: number, user: number) => `cpu  ${user} 0 100 800 0 0 0 ${steal} 50 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`;

describe("host steal", () => {
  it("reads steal and the total of the first eight fields (guest time is already in user)", () => {
    expect(parseCpuTimes(stat(40, 60))).toEqual({ steal: 40, total: 1000 });
    expect(parseCpuTimes("cpu0 1 2 3\n")).toBeUndefined();
    expect(parseCpuTimes("cpu  1 2 x 4 5 6 7 8\n")).toBeUndefined();
  });

  it("gives the share since the previous note, and nothing where /proc/stat cannot be read", () => {
    const readings = [stat(40, 60), stat(90, 510), stat(90, 1510)];
    const note = stealSince(() => readings.shift()!);
    expect(note()).toBe(", host steal 10.0 %");
    expect(note()).toBe(", host steal 0.0 %");
    const unreadable = stealSince(() => {
      throw new Error("ENOENT");
    });
    expect(unreadable()).toBe("");
  });
});
