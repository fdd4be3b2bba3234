// The import graph of packages/*/src and a checker for room rules over it (test/architecture.test.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import, re-export, dynamic `import()`, `require()` or `import('…')` type of a source file. */
export interface ImportEdge {
  /** Importing file, relative to the repository root with `/` separators. */
  file: string;
  /** 1-based line of the specifier. */
  line: number;
  /** The specifier as written; `<computed>` when `import()`/`require()` takes an expression. */
  specifier: string;
  /**
   * What it names: a repository-relative file for a relative specifier that resolves, else the bare
   * specifier (`@framewright/core/client`, `node:fs`, `ajv`); undefined for a relative specifier
   * that names no file, or a computed one.
   */
  target: string | undefined;
  /** `import type` / `export type` / `import('…')` in a type: erased at run time (still a dependency). */
  typeOnly: boolean;
  /** `import(expr)` or `require(expr)`: the graph cannot see what it loads. */
  computed: boolean;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const posix = (path: string): string => path.split(sep).join('/');

/** The file a relative specifier names (NodeNext: `./x.js` is `./x.ts` in the sources). */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every import of one file's text. `file` is absolute; edges name files relative to `root`. */
export function importsOf(root: string, file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean): void => {
    const line = source.getLineAndCharacterOfPosition((specifier ?? node).getStart(source)).line + 1;
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) {
      edges.push({ file: posix(relative(root, file)), line, specifier: '<computed>', target: undefined, typeOnly, computed: true });
      return;
    }
    const name = specifier.text;
    const resolved = name.startsWith('.') ? resolveRelative(file, name) : name;
    const target = resolved === undefined ? undefined : name.startsWith('.') ? posix(relative(root, resolved)) : resolved;
    edges.push({ file: posix(relative(root, file)), line, specifier: name, target, typeOnly, computed: false });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly === true);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression, true);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require' && node.arguments.length === 1;
      if (isImport || isRequire) add(node, node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Every import of every `.ts` file under `packages/<name>/src` of the repository at `root`. */
export function readImportGraph(root: string): ImportEdge[] {
  const packages = readdirSync(join(root, 'packages')).sort();
  return packages.flatMap((name) => sourceFiles(join(root, 'packages', name, 'src')).sort().flatMap((file) => importsOf(root, file, readFileSync(file, 'utf8'))));
}

/** True for `node:fs`, `fs`, `fs/promises` and the other Node built-ins. */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier) || builtinModules.includes(specifier.split('/')[0]!);
}

/** A room: a folder of packages/core/src (`media`, `ops`, …; `core` for the root entry) or an adapter package. */
export type RoomOf = (fileOrSpecifier: string) => string | undefined;

/** One strongly connected component (two or more rooms or files) of a graph, with one edge per step of a cycle through it. */
export interface Cycle {
  /** Its members, sorted. */
  members: string[];
  /** A cycle through the component: each step's first import (`file:line imports X`). */
  path: string[];
}

/** The strongly connected components of a directed graph (Tarjan), each of two or more nodes. */
export function stronglyConnected(nodes: Iterable<string>, next: (node: string) => Iterable<string>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      if (members.length > 1) out.push(members.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  return out;
}

/**
 * Cycles of the graph whose nodes are `nodeOf(file)` / `nodeOf(target)` of each edge (rooms, or
 * files themselves). Type-only edges count: a type cycle still ties the two sides together.
 */
export function cyclesOf(edges: readonly ImportEdge[], nodeOf: RoomOf): Cycle[] {
  const via = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    const from = nodeOf(e.file);
    const to = e.target === undefined ? undefined : nodeOf(e.target);
    if (from === undefined || to === undefined || from === to) continue;
    const out = via.get(from) ?? via.set(from, new Map()).get(from)!;
    if (!out.has(to)) out.set(to, e);
  }
  return stronglyConnected([...via.keys()].sort(), (n) => [...(via.get(n)?.keys() ?? [])].sort()).map((members) => {
    // Walk from the first member inside the component until a node repeats: that loop is a cycle.
    const inside = new Set(members);
    const order: string[] = [members[0]!];
    for (;;) {
      const here = order[order.length - 1]!;
      const step = [...via.get(here)!.keys()].sort().find((n) => inside.has(n))!;
      const seen = order.indexOf(step);
      if (seen >= 0) {
        const loop = [...order.slice(seen), step];
        const path = loop.slice(0, -1).map((n, i) => {
          const e = via.get(n)!.get(loop[i + 1]!)!;
          return `${e.file}:${e.line} imports ${e.specifier}`;
        });
        return { members, path };
      }
      order.push(step);
    }
  });
}
