// The nslab executable: runs the program and exits with its code (the only exit in nslab).
import { main, runAsCommand } from './program.js';

runAsCommand();
process.exit(await main(process.argv.slice(2)));
