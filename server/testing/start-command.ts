import fs from 'node:fs';

/**
 * `npm start`'s Node arguments, read from package.json, for the tests, the browser-test servers and
 * the benchmark, which start exactly what production runs. The script is `exec node …`: `exec` makes
 * the shell npm runs it in become Node, so the SIGTERM a process manager sends to `npm start` reaches
 * the server (without it, the shell dies and the server is orphaned, still serving).
 */
export function npmStartNodeArgs(packageJson = 'package.json'): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { scripts: { start: string } };
  const [exec, node, ...args] = scripts.start.split(/\s+/);
  if (exec !== 'exec' || node !== 'node') throw new Error(`npm start should be "exec node …", not "${scripts.start}"`);
  return args;
}
