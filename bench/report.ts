// Formatting of suite results: the machine description and the readable table that `npm run bench` prints.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { roundForReport } from './stats.ts';
import type { Figure } from './suite.ts';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    // /proc/cpuinfo is what the docs quote; os.cpus() can be empty in some containers.
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1].trim();
  } catch {
    // Not Linux: keep os.cpus()'s answer.
  }
  return {
    cpus: cpus().length,
    cpuModel,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function formatNumber(x: number): string {
  return roundForReport(x).toLocaleString('en-US');
}

function cell(figure: Figure | undefined): string {
  if (!figure) return '—';
  const value = `${formatNumber(figure.value)}${figure.suspect ? '!' : ''}`;
  return figure.reference ? `${value} (${(figure.value / figure.reference).toFixed(2)}× ref)` : value;
}

/**
 * One row per figure name and one column per variant, in order of first appearance, plus the reference value
 * when any variant of that figure has one. Suspect values are marked with "!".
 */
export function formatTable(figures: readonly Figure[]): string {
  const names = [...new Set(figures.map((f) => f.figure))];
  const variants = [...new Set(figures.map((f) => f.variant))];
  const header = ['Figure', 'Unit', ...variants, 'Reference'];
  const rows = names.map((name) => {
    const ofName = figures.filter((f) => f.figure === name);
    const reference = ofName.find((f) => f.reference !== undefined)?.reference;
    return [name, ofName[0].unit, ...variants.map((v) => cell(ofName.find((f) => f.variant === v))), reference === undefined ? '' : formatNumber(reference)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const legend = figures.some((f) => f.suspect) ? ['! = other processes were busy during the measurement: the value may be off'] : [];
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...legend].join('\n');
}
