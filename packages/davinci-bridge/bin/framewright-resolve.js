#!/usr/bin/env node
// `framewright-resolve`: the program `framewright resolve …` runs, with the arguments after `resolve`.
import { runCli } from '../dist/index.js';

process.exitCode = await runCli(process.argv.slice(2));
