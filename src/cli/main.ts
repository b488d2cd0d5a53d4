// The nslab executable: runs the program and exits with its code (the only exit in nslab).
import { main } from './program.js';

process.exit(await main(process.argv.slice(2)));
