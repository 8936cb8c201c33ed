#!/usr/bin/env node
// The `vfo` command. Node 22.18+ runs the TypeScript sources directly (type stripping), so the CLI
// needs no build step; `npx vfo` and `npm run vfo` put the project's own Node 22 first on PATH.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `vfo: error: Node ${process.versions.node} is too old; run it as \`npx vfo\` (uses the project's Node 22)\n`,
  );
  process.exit(1);
}
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
