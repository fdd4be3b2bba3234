// Runs the Resolve scripts under real interpreters (luajit, lua5.4, python3) against the fake
// Resolve objects in test/fake, with the scripts installed by the real installer into a temp
// Scripts folder, exactly as a user would have them.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installScripts, planInstall } from '../../src/install.js';
import { shippedScriptsDir } from '../../src/paths.js';

export const FAKE_DIR = fileURLToPath(new URL('../fake/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The interpreters a script runs under. */
export const LUAS = ['luajit', 'lua5.4'] as const;
export type Interpreter = (typeof LUAS)[number] | 'python3';

/** Calls that change a Resolve project (or what the user has selected in it). */
export const MUTATING_CALLS = new Set([
  'MediaPool.AddSubFolder',
  'MediaPool.SetCurrentFolder',
  'MediaPool.ImportMedia',
  'MediaPool.CreateTimelineFromClips',
  'MediaPool.ImportTimelineFromFile',
  'Project.SetCurrentTimeline',
  'MediaPool.AppendToTimeline',
  'Timeline.AddMarker',
]);

/** The world a fake Resolve presents to a script. */
export interface Scenario {
  project: boolean;
  timeline?: { name: string; currentClip?: string | null } | null;
  clips?: { name: string; path: string }[];
  selected?: string[];
  /** How Fusion's UI behaves; `uimanager-broken` refuses windows as some editions do. */
  ui: 'uimanager' | 'uimanager-broken' | 'askuser' | 'none';
  answer?: Record<string, unknown> | null;
  version?: unknown[];
}

/** One recorded call. */
export interface LoggedCall {
  call: string;
  args: unknown[];
}

/** What a script run left behind. */
export interface ScriptRun {
  calls: LoggedCall[];
  mutations: LoggedCall[];
  /** Texts shown in a message box (UIManager window, or read-only AskUser). */
  messages: string[];
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'fw-resolve-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Installs the shipped scripts into a new temp Scripts folder; returns the folder holding them. */
export async function installedScripts(): Promise<string> {
  const plan = await planInstall('linux', join(tempDir('fw-scripts-'), 'Scripts'), shippedScriptsDir());
  await installScripts(plan);
  return plan.targetDir;
}

/** A clean environment: no engine on PATH, no server token, outputs into `home`. */
export function baseEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TMPDIR: home,
    FRAMEWRIGHT_CONFIG_DIR: join(home, 'config'),
    FRAMEWRIGHT_OUTPUT_ROOT: join(home, 'out'),
    ...extra,
  };
}

function messagesOf(calls: LoggedCall[]): string[] {
  const texts: string[] = [];
  for (const c of calls) {
    if (c.call === 'UI.ShowWindow') texts.push(String(c.args[1]));
    if (c.call === 'Fusion.AskUser') {
      const controls = Object.values(c.args[1] as Record<string, Record<string, unknown>>);
      for (const control of controls) if (control['ReadOnly'] === true) texts.push(String(control['Default']));
    }
  }
  return texts;
}

/** Runs one script under `interpreter` with the fake Resolve described by `scenario`. */
export async function runScript(
  interpreter: Interpreter,
  scriptPath: string,
  scenario: Scenario,
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<ScriptRun> {
  const dir = tempDir('fw-run-');
  const log = join(dir, 'calls.jsonl');
  const scenarioPath = join(dir, 'scenario.json');
  writeFileSync(scenarioPath, JSON.stringify({ ...scenario, log }));
  const runner = interpreter === 'python3' ? join(FAKE_DIR, 'run_fake.py') : join(FAKE_DIR, 'run_fake.lua');
  const args = interpreter === 'python3' ? ['-B', runner, scenarioPath, scriptPath] : [runner, scenarioPath, scriptPath];
  const { stdout, stderr, exitCode } = await new Promise<{ stdout: string; stderr: string; exitCode: number }>((resolve) => {
    const child = execFile(interpreter, args, { env, timeout: timeoutMs, maxBuffer: 1 << 24 }, (error, out, err) => {
      resolve({ stdout: out, stderr: err, exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
    });
    child.stdin?.end();
  });
  const calls: LoggedCall[] = existsSync(log)
    ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedCall)
    : [];
  return { calls, mutations: calls.filter((c) => MUTATING_CALLS.has(c.call)), messages: messagesOf(calls), stdout, stderr, exitCode };
}

/** The script file for `name` ("Clip-cut current clip", ...) in the language of `interpreter`. */
export function scriptFile(dir: string, name: string, interpreter: Interpreter): string {
  return join(dir, interpreter === 'python3' ? `${name} (Python).py` : `${name}.lua`);
}

/**
 * A stand-in engine: records its argv (JSON) to `argvFile`, prints `stdout`, writes `stderr` and
 * exits with `exitCode`. Used where the real engine cannot produce the case (an engine error on a
 * valid file) or does not exist yet (image-gen, video-gen).
 */
export function fakeEngine(dir: string, reply: { stdout: string; stderr?: string; exitCode?: number }): { path: string; argvFile: string } {
  const path = join(dir, 'framewright');
  const argvFile = join(dir, 'argv.json');
  writeFileSync(
    path,
    `#!/usr/bin/env python3
import json, sys
with open(${JSON.stringify(argvFile)}, "w", encoding="utf-8") as f:
    json.dump(sys.argv[1:], f, ensure_ascii=False)
sys.stdout.write(${JSON.stringify(reply.stdout)})
sys.stderr.write(${JSON.stringify(reply.stderr ?? '')})
sys.exit(${reply.exitCode ?? 0})
`,
  );
  chmodSync(path, 0o755);
  return { path, argvFile };
}

/** The real engine: the built CLI of @framewright/core, run by this Node (24 under vitest). */
export function realEngine(dir: string): string {
  const bin = join(REPO_ROOT, 'packages', 'core', 'bin', 'framewright.js');
  const built = join(REPO_ROOT, 'packages', 'core', 'dist', 'cli', 'main.js');
  if (!existsSync(built)) throw new Error(`the engine is not built (${built} missing): run npm run build first`);
  const path = join(dir, 'framewright-real');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(path, `#!/bin/sh\nexec ${q(process.execPath)} ${q(bin)} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}
