// The contract between bench/main.ts and a suite: bench/suites/<name>.ts exports `run(): Promise<SuiteResult>`.
// main.ts adds the date, the machine and the duration, prints a table and writes bench/results/<name>.json.

/** One measured number, e.g. creates/s with 8 clients for the persisted variant. */
export interface Figure {
  /** What is measured; figures with the same name form one row of the printed table. */
  readonly figure: string;
  /** Which configuration it was measured under; each variant is one column. */
  readonly variant: string;
  readonly value: number;
  readonly unit: string;
  /** The same figure measured on a reference system, when one is known; the table shows value/reference. */
  readonly reference?: number;
  /** Other processes were busy during the measurement (bench/cpu.ts), so the value may be off. */
  readonly suspect?: boolean;
  /** Secondary numbers that explain the value (counts, CPU use, percentiles); kept in the JSON, not the table. */
  readonly detail?: Readonly<Record<string, number | string>>;
}

export interface SuiteResult {
  readonly figures: readonly Figure[];
  /** Free-text remarks shown under the table and kept in the JSON (e.g. where a reference figure comes from). */
  readonly notes?: readonly string[];
}

export interface Suite {
  run(): Promise<SuiteResult>;
}
