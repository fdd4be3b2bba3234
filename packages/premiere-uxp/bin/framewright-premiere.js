#!/usr/bin/env node
// `framewright-premiere`: the program `framewright premiere …` runs, with the arguments after `premiere`.
import { runCli } from '../dist/index.js';

process.exitCode = await runCli(process.argv.slice(2));
