// The nslab command, bundled as dist/bin/nslab.mjs, which the executable bin/nslab starts node on: runs
// the program and exits with its code (start.ts, which holds the only exit in nslab). `up FILE` gets its
// head start (early.ts) before node loads the program. `down` starts from a snapshot instead where it can
// (snapshot.ts).
import { start } from './start.js';

await start(process.argv.slice(2), process.argv[1], () => import('./program.js'));
