#!/usr/bin/env node
// `framewright-obs`: the program `framewright obs …` runs, with the arguments after `obs`.
import { runCli } from '../dist/index.js';

process.exitCode = await runCli(process.argv.slice(2));
