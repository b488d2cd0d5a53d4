export { run, startChild, commandText, shellStatus, type Child, type ChildOptions, type Exit, type RunResult } from './child.js';
export { endProcess, isRunning, processStartTime, type ProcessIdentity } from './identity.js';
export { setgroupsDenied } from './ids.js';
export { bornAtBase, favourLoop } from './priority.js';
export { inNetns } from './netns.js';
export { labEnv, labProcesses, userNamespaceProcesses, type FoundProcess, type NamespaceProcess } from './scan.js';
