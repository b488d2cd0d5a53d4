/**
 * `nslab graph [FILE | --lab NAME] [--format svg|dot|mermaid|json] [-o FILE]`: the tutorial's picture of a
 * lab, from its file, or from the kernel for a running lab.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listLabs } from '../../api/running.js';
import { NslabError } from '../../errors.js';
import { UsageError } from '../output.js';
import { labName, runningLab } from '../context.js';

/** The format an output file's name suggests. */
const BY_EXTENSION: Record<string, string> = { svg: 'svg', dot: 'dot', gv: 'dot', mmd: 'mermaid', mermaid: 'mermaid', json: 'json' };

export function register(program: Command): void {
  program
    .command('graph')
    .description('draw a lab: each node a box, each cable a line with its interfaces and addresses (from FILE, or from the kernel for a running lab)')
    .argument('[file]', 'topology file (with neither FILE nor --lab: the lab that is up, or the built-in tutorial)')
    .option('--lab <name>', 'a running lab, drawn from what the kernel has')
    .option('-f, --format <format>', 'svg, dot (Graphviz), mermaid or json (default: from -o, else svg)')
    .option('-o, --output <file>', 'write to FILE instead of standard output')
    .action(async (file: string | undefined, o: { lab?: string; format?: string; output?: string }) => {
      const { GRAPH_FORMATS, definedGraph, drawGraph, observedGraph } = await import('../../api/graph.js');
      const format = o.format ?? BY_EXTENSION[o.output?.split('.').pop()?.toLowerCase() ?? ''] ?? 'svg';
      if (!(GRAPH_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format ${format}: choose one of ${GRAPH_FORMATS.join(', ')}`);
      if (file !== undefined && o.lab !== undefined) throw new UsageError('graph takes a FILE or --lab NAME, not both');
      const { Lab, parseTopology, DEFAULT_LAB_TEXT } = await import('../../api/index.js');
      const { hostsGraph, isOverHosts } = await import('../../api/hosts.js');
      let model;
      if (file !== undefined) {
        model = definedGraph((await Lab.fromFile(file)).resolved);
      } else {
        // With no lab up and none named, the tutorial's lab as its file defines it.
        const name = o.lab !== undefined || listLabs().length > 0 ? await labName(o) : undefined;
        if (name === undefined) model = definedGraph(parseTopology(DEFAULT_LAB_TEXT));
        else if (isOverHosts(name)) model = (await hostsGraph(name)).model;
        else {
          runningLab(name);
          if (process.getuid?.() !== 0)
            throw new NslabError('NSLAB_PERMISSION', 'drawing a running lab reads its namespaces and needs root: run it with sudo, or draw its FILE');
          model = await observedGraph(name);
        }
      }
      const text = await drawGraph(model, format as (typeof GRAPH_FORMATS)[number]);
      if (o.output === undefined) process.stdout.write(text);
      else await writeFile(o.output, text);
    });
}
