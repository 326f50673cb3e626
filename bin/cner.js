#!/usr/bin/env node
// `cner`: the NER engine's command line. Runs the TypeScript sources through tsx; see lib/ner/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../lib/ner/cli.ts');

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
};

process.exitCode = await runCli(process.argv.slice(2), {
  readStdin,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrIsTty: process.stderr.isTTY === true,
});
