/**
 * Process CPU and memory from /proc (Linux only, no dependency): CPU as % of one core over a window, RSS
 * sampled every `intervalMs` (max over the window and the last value).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface ProcReading {
  /** utime + stime, in seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Parses /proc/<pid>/stat: utime and stime are fields 14 and 15, counted after the `(comm)` that may hold spaces. */
export function parseStatCpuTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  return Number(rest[11]) + Number(rest[12]);
}

/** The parent pid in /proc/<pid>/stat: field 4, after the `(comm)` that may hold spaces. */
export function parseStatPpid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The parent of a live process, from /proc; undefined once it is gone. */
export function parentPid(pid: number): number | undefined {
  try {
    return parseStatPpid(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

/** The pids whose parent is `pid`, read from /proc (no procps needed); a process gone meanwhile is skipped. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((entry) => parentPid(entry) === pid);
}

export function parseStatusRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { cpuSeconds: parseStatCpuTicks(stat) / ticksPerSecond(), rssBytes: parseStatusRssBytes(status) };
  } catch {
    return undefined; // the process has exited
  }
}

/** Per process, plus `machine`: all cores, every process (cpuPct is then % of one core, up to 100 × cores). */
export interface ProcWindowStats {
  /** % of one core, averaged over the window. */
  cpuPct: number;
  /** CPU time used in the window (utime + stime). */
  cpuSeconds: number;
  rssMaxMiB: number;
  rssEndMiB: number;
}

interface Mark {
  at: number;
  cpu: Map<string, number>;
}

const MiB = 1024 * 1024;

/** Busy and total jiffies of the whole machine from the first line of /proc/stat. */
export function parseProcStat(stat: string): { busy: number; total: number } {
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

function machineTicks(): { busy: number; total: number } {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return { busy: 0, total: 0 };
  }
}
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Samples a named set of processes; `window()` opens a measurement window, its `end()` returns per-process stats. */
export class ProcSampler {
  private readonly pids = new Map<string, number>();
  private readonly maxRss = new Map<number, Map<string, number>>(); // window id → name → max rss
  private readonly lastRss = new Map<string, number>();
  private readonly lastCpu = new Map<string, number>();
  /** CPU seconds of processes that were replaced (a restarted worker), so windows across a restart still add up. */
  private readonly retiredCpu = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private nextWindow = 1;

  constructor(private readonly intervalMs = 500) {}

  track(name: string, pid: number): void {
    const old = this.pids.get(name);
    if (old !== undefined && old !== pid) {
      const last = this.lastCpu.get(name) ?? 0;
      this.retiredCpu.set(name, (this.retiredCpu.get(name) ?? 0) + last);
      this.lastCpu.delete(name);
    }
    this.pids.set(name, pid);
    this.sample();
  }

  /** Stops reporting a process (one that was started for a single scenario). */
  untrack(name: string): void {
    this.pids.delete(name);
    this.lastCpu.delete(name);
    this.lastRss.delete(name);
    this.retiredCpu.delete(name);
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Current RSS (MiB) of one process, read now. */
  rssMiB(name: string): number {
    const pid = this.pids.get(name);
    const reading = pid === undefined ? undefined : readProc(pid);
    return reading ? r1(reading.rssBytes / MiB) : 0;
  }

  window(): { end(): Record<string, ProcWindowStats> } {
    this.sample();
    const id = this.nextWindow++;
    const mark: Mark = { at: performance.now(), cpu: this.cpuTotals() };
    const machineStart = machineTicks();
    this.maxRss.set(id, new Map(this.lastRss));
    return {
      end: () => {
        this.sample();
        const seconds = (performance.now() - mark.at) / 1000;
        const cpu = this.cpuTotals();
        const max = this.maxRss.get(id) ?? new Map<string, number>();
        this.maxRss.delete(id);
        const out: Record<string, ProcWindowStats> = {};
        for (const name of this.pids.keys()) {
          const used = (cpu.get(name) ?? 0) - (mark.cpu.get(name) ?? 0);
          out[name] = {
            cpuPct: seconds > 0 ? r1((used / seconds) * 100) : 0,
            cpuSeconds: Math.round(used * 1000) / 1000,
            rssMaxMiB: r1((max.get(name) ?? 0) / MiB),
            rssEndMiB: r1((this.lastRss.get(name) ?? 0) / MiB),
          };
        }
        // The whole machine, all cores: what everything (ours and other people's processes) used.
        const machineEnd = machineTicks();
        const total = machineEnd.total - machineStart.total;
        const busy = machineEnd.busy - machineStart.busy;
        const cores = os.cpus().length;
        out.machine = {
          cpuPct: total > 0 ? r1((busy / total) * 100 * cores) : 0,
          cpuSeconds: total > 0 ? Math.round((busy / total) * seconds * cores * 1000) / 1000 : 0,
          rssMaxMiB: 0,
          rssEndMiB: 0,
        };
        return out;
      },
    };
  }

  private cpuTotals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const name of this.pids.keys()) {
      totals.set(name, (this.retiredCpu.get(name) ?? 0) + (this.lastCpu.get(name) ?? 0));
    }
    return totals;
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      const reading = readProc(pid);
      if (!reading) continue;
      this.lastCpu.set(name, reading.cpuSeconds);
      this.lastRss.set(name, reading.rssBytes);
      for (const max of this.maxRss.values()) max.set(name, Math.max(max.get(name) ?? 0, reading.rssBytes));
    }
  }
}
