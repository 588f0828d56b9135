// Entry point of `npm run payload -- <command>` (see cli.ts for the commands).
import { runPayloadCommand } from './cli.ts';

process.exitCode = await runPayloadCommand(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
