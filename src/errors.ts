/**
 * The one error hierarchy of nslab. Every error the library throws is an NslabError with a stable `code`
 * (match on the code, not the message) and, where there is one, the `cause` that led to it. Messages say
 * what went wrong, where, and what to do next. Only src/cli turns them into exit codes.
 */
export type NslabErrorCode =
  | 'NSLAB_NETLINK' // the kernel refused a netlink request
  | 'NSLAB_NETLINK_DECODE' // bytes from the kernel (or a test) did not parse
  | 'NSLAB_NETLINK_ENCODE' // a value cannot be put into a netlink message (out of range, wrong family)
  | 'NSLAB_NATIVE' // a system call in the addon failed (netns add/del, setns, socket, sysctl)
  | 'NSLAB_ADDON_MISSING' // the compiled addon is not there
  | 'NSLAB_TOPOLOGY' // the topology file or object is invalid; `issues` lists every problem
  | 'NSLAB_NOT_OURS' // something exists that nslab did not create and will not touch
  | 'NSLAB_EXISTS' // the lab is up and belongs to another process that still runs
  | 'NSLAB_LOCKED' // another nslab process holds the lab's lock
  | 'NSLAB_STATE' // a lab's state file is in the way and could not be set aside
  | 'NSLAB_NOT_FOUND' // no such lab, node or interface
  | 'NSLAB_MISSING_FEATURE' // the kernel lacks what the lab needs
  | 'NSLAB_MACHINE_LIMIT' // the lab needs more than a limit of this machine allows (open files, mounts, namespaces, memory)
  | 'NSLAB_PERMISSION' // needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN), or to run inside the user's world
  | 'NSLAB_USERNS_DISABLED' // without root: user namespaces are turned off (a sysctl says so, and which)
  | 'NSLAB_USERNS_RESTRICTED' // without root: AppArmor allows user namespaces only to programs with a profile
  | 'NSLAB_WORLD' // without root: the user's world cannot be made, entered or stopped (the message says why)
  | 'NSLAB_EXEC' // a command run inside a node failed
  | 'NSLAB_ADDRESS_IN_USE' // the web view's port is taken: another port, or --port 0 for a free one
  | 'NSLAB_CAPTURE' // the capture engine (tcpdump) is missing or failed
  | 'NSLAB_CAPTURE_FILTER' // tcpdump refused a capture filter: its words, and where in the filter
  | 'NSLAB_FRR' // an FRR daemon did not start, or FRR refused a node's configuration
  | 'NSLAB_TIMEOUT' // what was waited for (a lab's routing to converge) did not happen in time
  | 'NSLAB_ABORTED' // the operation was cancelled by its AbortSignal
  | 'NSLAB_HOST' // a host of a lab over several machines is unreachable, or not fit for it (version, root, VXLAN, underlay)
  | 'NSLAB_VNI' // a cable between hosts cannot be made as asked: its VNI is in use, or its MTU does not fit the underlay
  | 'NSLAB_TIMEOUT' // a wait ran out of time (a port that never listened, output that never came)
  | 'NSLAB_EXPECTATION' // a check of a scenario or schedule failed; the message names the step
  | 'NSLAB_LEAKED' // a test run left a lab up (the test fixtures' leak check)
  | 'NSLAB_INTERNAL'; // a bug of nslab's: the message says what, and should be reported

export class NslabError extends Error {
  readonly code: NslabErrorCode;
  /**
   * When a failed run could not undo everything it had made: each step of the rollback that failed. The
   * message of the error itself is the run's first cause.
   */
  declare rollbackErrors?: AggregateError;
  constructor(code: NslabErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NslabError';
    this.code = code;
  }
}

/** One problem in a topology, with its place in the file when the topology came from a file. */
export interface TopologyIssue {
  /** Path in the document, for example `links[3].endpoints[1]`. Empty for the whole document. */
  path: string;
  message: string;
  /** What to do about it. */
  hint?: string;
  /** 1-based line and column in the source file, when known. */
  line?: number;
  column?: number;
}

/** Formats an issue as `file:line:col: path: message (hint)`, the way compilers do. */
export function formatTopologyIssue(issue: TopologyIssue, file?: string): string {
  const where = [file, issue.line, issue.line !== undefined ? issue.column : undefined].filter((p) => p !== undefined).join(':');
  const head = [where, issue.path].filter((p) => p !== '' && p !== undefined).join(': ');
  const body = issue.hint !== undefined ? `${issue.message}; ${issue.hint}` : issue.message;
  return head === '' ? body : `${head}: ${body}`;
}

/** How many problems the message of a TopologyError lists; `issues` has them all. */
export const ISSUES_SHOWN = 100;

export class TopologyError extends NslabError {
  readonly issues: readonly TopologyIssue[];
  readonly file: string | undefined;
  constructor(issues: readonly TopologyIssue[], file?: string) {
    const n = (k: number): string => k.toLocaleString('en-US');
    const count = issues.length === 1 ? '1 problem' : `${n(issues.length)} problems`;
    const lines = issues.slice(0, ISSUES_SHOWN).map((i) => `  ${formatTopologyIssue(i, file)}`);
    if (issues.length > ISSUES_SHOWN) lines.push(`  ... and ${n(issues.length - ISSUES_SHOWN)} more problems`);
    super('NSLAB_TOPOLOGY', `${file ?? 'topology'} has ${count}:\n${lines.join('\n')}`);
    this.name = 'TopologyError';
    this.issues = issues;
    this.file = file;
  }
}
