/** nslab run FILE: bring a lab up, run the timed faults and checks of its `scenario:`, print the timeline. */
import type { Command } from 'commander';
import type { StepResult } from '../../api/index.js';
import { requireRoot } from '../context.js';
import { EXIT_FAILURE, UsageError } from '../output.js';

interface RunFlags {
  keep?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .description("bring a lab up, run its file's scenario (timed faults and checks) with a timeline, and take it down; exit 1 when a check fails")
    .argument('<file>', 'topology file with a scenario: list')
    .option('--keep', 'leave the lab up afterwards, as the scenario left it')
    .option('--json', 'print the result as JSON')
    .action((file: string, o: RunFlags) => run(file, o));
}

/** `  1.50s  step 2  partition client | server  ok`. */
function timelineLine(r: StepResult): string {
  const when = `${(r.startedMs / 1000).toFixed(2)}s`.padStart(8);
  const verdict = r.ok ? (r.description.startsWith('expect') ? 'ok' : 'done') : 'FAILED';
  const detail = r.detail !== undefined && (r.description.startsWith('expect') || !r.ok) ? `  (${r.detail})` : '';
  return `${when}  step ${r.index}${r.name !== undefined ? ` "${r.name}"` : ''}  ${r.description}  ${verdict}${detail}`;
}

async function run(file: string, o: RunFlags): Promise<void> {
  requireRoot('run');
  const { Lab, ScheduleError, stepLabel } = await import('../../api/index.js');
  const lab = await Lab.fromFile(file);
  const steps = lab.resolved.scenario;
  if (steps === undefined || steps.length === 0) throw new UsageError(`${file} has no scenario: add a scenario: list of steps (see docs/topology.md)`);
  const json = o.json === true;
  const say = (line: string): void => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const upResult = await lab.up();
  say(`lab ${lab.name} ${upResult.existed ? 'was up already' : 'up'}: running its scenario, ${steps.length} step${steps.length === 1 ? '' : 's'}`);
  try {
    const schedule = lab.runScenario({ onStep: (r) => say(timelineLine(r)) });
    try {
      const result = await schedule.done;
      if (json) process.stdout.write(`${JSON.stringify({ lab: lab.name, ...result }, null, 2)}\n`);
      else say(`every check passed (${result.steps.filter((s) => s.description.startsWith('expect')).length} checks)`);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      if (json) process.stdout.write(`${JSON.stringify({ lab: lab.name, ...e.result }, null, 2)}\n`);
      for (const f of e.result.failures) process.stderr.write(`nslab: ${stepLabel(f)} failed: ${f.detail ?? ''}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  } finally {
    // A lab this run brought up goes again (unless --keep); one that was up already stays, as it was found.
    if (o.keep !== true && !upResult.existed) {
      await lab.down();
      say(`lab ${lab.name} down`);
    }
  }
}
