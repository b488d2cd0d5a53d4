/**
 * A run's rollback journal: what it made, as the steps that undo it, taken back in reverse on failure.
 * What a run makes inside a namespace it also made goes with that namespace, and needs no step of its own.
 */
import { NslabError } from '../errors.js';

type Undo = () => Promise<void>;

export class Journal {
  readonly #undo: Undo[] = [];

  /** Records how to undo something just made. */
  push(undo: Undo): void {
    this.#undo.push(undo);
  }

  /** Undoes everything, newest first, and returns the steps that failed (each is still tried). */
  async rollback(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const undo of this.#undo.reverse()) {
      try {
        await undo();
      } catch (e) {
        errors.push(e instanceof Error ? e : new NslabError('NSLAB_INTERNAL', String(e)));
      }
    }
    this.#undo.length = 0;
    return errors;
  }
}

/**
 * The error a failed run throws: its cause, as an NslabError (a plain error gets NSLAB_INTERNAL), with the
 * rollback steps that also failed in `rollbackErrors` and the way out in the message.
 */
export function runFailure(cause: unknown, lab: string, rollbackErrors: readonly Error[]): unknown {
  if (rollbackErrors.length === 0) return cause;
  const err = cause instanceof NslabError ? cause : new NslabError('NSLAB_INTERNAL', cause instanceof Error ? cause.message : String(cause), { cause });
  err.rollbackErrors = new AggregateError(
    rollbackErrors,
    `rolling back lab ${lab} also failed ${rollbackErrors.length === 1 ? 'once' : `${rollbackErrors.length} times`}; run \`nslab down --lab ${lab}\``,
  );
  return err;
}
