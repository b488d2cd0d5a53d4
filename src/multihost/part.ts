/**
 * A host's side of a lab over several machines (`nslab part up`, run there over ssh): it brings its part
 * up exactly as a one-machine lab, and holds at the gate (EngineOptions.gate) once its network is made,
 * until the controller says every host has its network: `go`, and the exec entries run (a command may
 * reach a node on another host); `abort`, or the controller gone (end of input), and the run rolls back,
 * as any failed up does. So a lab is up on every host or on none.
 *
 * The conversation is lines: the controller writes the part (one line of JSON), then `go` or `abort`; the
 * host writes events, one JSON object a line: `ready`, then `done` or `error`.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { up } from '../engine/index.js';
import { NslabError } from '../errors.js';
import type { ResolvedLab } from '../topology/types.js';
import { nslabVersion } from './version.js';

/** What the controller sends a host. */
export interface PartRequest {
  /** The controller's nslab version: a host of another refuses the part. */
  version: string;
  part: ResolvedLab;
  /** The topology file on the controller, recorded in the host's state. */
  source?: string;
}

/** One line a host writes. */
export type PartEvent =
  | { event: 'ready'; changed: boolean }
  | { event: 'done'; changed: boolean; operations: number; ms: number }
  | { event: 'error'; code: string; message: string };

/** Runs the conversation on `input` and `output` (the ssh session's stdin and stdout); resolves with the exit code. */
export async function partUp(input: Readable, output: Writable, options: { stateRoot?: string } = {}): Promise<number> {
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const say = (e: PartEvent): void => void output.write(`${JSON.stringify(e)}\n`);
  const next = async (): Promise<string | undefined> => {
    const r = await lines.next();
    return r.done === true ? undefined : (r.value as string);
  };
  const started = performance.now();
  try {
    const first = await next();
    if (first === undefined) throw new NslabError('NSLAB_HOST', 'nslab part up reads a part (one line of JSON) on its input; the controller sends it');
    const request = JSON.parse(first) as PartRequest;
    const version = nslabVersion();
    if (request.version !== version)
      throw new NslabError('NSLAB_HOST', `this host runs nslab ${version} and the controller ${request.version}: install the same version on every host`);
    let gated = false;
    let changed = true;
    const gate = async (): Promise<void> => {
      gated = true;
      say({ event: 'ready', changed });
      const word = await next();
      if (word !== 'go')
        throw new NslabError(
          'NSLAB_ABORTED',
          word === undefined ? 'the controller went away before every host had its part: rolled back' : 'another host failed: this part is rolled back',
        );
    };
    const result = await up(request.part, {
      gate,
      ...(request.source !== undefined ? { source: request.source } : {}),
      ...(options.stateRoot !== undefined ? { stateRoot: options.stateRoot } : {}),
    });
    changed = result.changed;
    // Nothing to change: no run, so no gate; the controller still waits for every host to say so.
    if (!gated) await gate();
    say({ event: 'done', changed: result.changed, operations: result.plan.ops.length, ms: Math.round(performance.now() - started) });
    return 0;
  } catch (e) {
    say({ event: 'error', code: e instanceof NslabError ? e.code : 'NSLAB_INTERNAL', message: e instanceof Error ? e.message : String(e) });
    return 1;
  } finally {
    lines.return?.();
  }
}
