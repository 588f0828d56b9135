// `npm run bench [-- SUITE...]`: runs the named suites (default: every bench/suites/<name>.ts), prints a table
// per suite and writes bench/results/<name>.json. A suite is a module exporting `run(): Promise<SuiteResult>`
// (bench/suite.ts), so later suites are added by dropping a file into bench/suites/.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, machineInfo } from './report.ts';
import type { Suite } from './suite.ts';

const here = dirname(fileURLToPath(import.meta.url));
const suitesDir = join(here, 'suites');
const resultsDir = join(here, 'results');

function availableSuites(): string[] {
  return readdirSync(suitesDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

async function runSuite(name: string): Promise<void> {
  const suite = (await import(pathToFileURL(join(suitesDir, `${name}.ts`)).href)) as Suite;
  process.stdout.write(`\n== ${name} ==\n`);
  const started = Date.now();
  const result = await suite.run();
  const durationSeconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\n${formatTable(result.figures)}\n`);
  for (const note of result.notes ?? []) process.stdout.write(`  * ${note}\n`);
  process.stdout.write(`(${durationSeconds} s)\n`);
  mkdirSync(resultsDir, { recursive: true });
  const json = { suite: name, date: new Date().toISOString(), machine: machineInfo(), durationSeconds, ...result };
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
}

async function main(): Promise<void> {
  const known = availableSuites();
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite(s) ${unknown.join(', ')}; available: ${known.join(', ')}\n`);
    process.exit(2);
  }
  const machine = machineInfo();
  process.stdout.write(`Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
  for (const name of requested.length > 0 ? requested : known) await runSuite(name);
}

await main();
