/** How parseTopology reads a file: its name, and the caller's hooks for what the topology layer does not do itself. */
export interface ParseOptions {
  /** The file name, for messages (`lab.yaml:3:5: ...`) and TopologyError.file. */
  file?: string;
  /**
   * Told the lab's name and how many nodes it lists as soon as the YAML is read, before anything is
   * checked (either may be wrong: `name` is whatever the file says). `nslab up` starts making namespaces
   * then (engine/spares.ts).
   */
  onRead?: (read: { name: unknown; nodes: number }) => void;
  /**
   * Reads a file the topology names (a node's FRR config; in a containerlab file, the files its binds
   * mount), given its path as written: relative to the topology file's directory, or absolute. Returns the
   * text, or throws with a message saying why not (it becomes the problem's). Without it, such a path is
   * a problem: the topology layer does no I/O (Lab.fromFile and the CLI give one that reads the disk).
   */
  read?: (path: string) => string;
}
