/** What the numbers were measured on: CPU, cores, RAM, OS, Node and DuckDB versions, machine load. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import type { DuckDbRuntime } from '../src/table/index.ts';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly node: string;
  readonly duckdb: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  readonly loadAtStart: number;
}

export async function machineInfo(runtime: DuckDbRuntime): Promise<MachineInfo> {
  const duckdb = await runtime.withConnection(async (c) => String((await c.runAndReadAll('SELECT version()')).getRows()[0]?.[0] ?? '?'));
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    ramGiB: totalmem() / 1024 ** 3,
    os: `${osRelease()} (${osType()} ${release()})`,
    node: process.version,
    duckdb,
    loadAtStart: loadavg()[0] ?? NaN,
  };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // not Linux: fall through to what Node reports
  }
  return cpus()[0]?.model ?? 'unknown';
}

function osRelease(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (match?.[1]) return match[1];
  } catch {
    // no os-release: the kernel name below is enough
  }
  return osType();
}

/** The current 1-minute load average. */
export function currentLoad(): number {
  return loadavg()[0] ?? NaN;
}
