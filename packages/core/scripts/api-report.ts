// API reports: every name a published entry point exports, with its kind and signature, derived
// from the sources with the TypeScript compiler API. The reports are committed
// (packages/<package>/api/<entry>.api.md); test/api-report.test.ts fails when the sources no
// longer match them, so a change to the public surface is a reviewed diff.
// `npm run api:update` rewrites them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const repo = resolve(import.meta.dirname, '..', '..', '..');

/** A published entry point: the import specifier, its source file, where its report lives. */
export interface ApiEntry {
  readonly specifier: string;
  readonly source: string;
  readonly report: string;
}

function entry(pkg: string, specifier: string, source: string, name: string): ApiEntry {
  return { specifier, source: join(repo, 'packages', pkg, source), report: join(repo, 'packages', pkg, 'api', `${name}.api.md`) };
}

/** Every entry point of every published package, in report order. */
export const API_ENTRIES: readonly ApiEntry[] = Object.freeze([
  entry('core', '@framewright/core', 'src/index.ts', 'core'),
  entry('core', '@framewright/core/protocol', 'src/protocol/index.ts', 'protocol'),
  entry('core', '@framewright/core/client', 'src/client/index.ts', 'client'),
  entry('core', '@framewright/core/host', 'src/host/index.ts', 'host'),
  entry('core', '@framewright/core/train', 'src/train-entry.ts', 'train'),
  entry('core', '@framewright/core/cluster', 'src/cluster-entry.ts', 'cluster'),
  entry('obs-plugin', '@framewright/obs-plugin', 'src/index.ts', 'obs-plugin'),
  entry('premiere-uxp', '@framewright/premiere-uxp', 'src/index.ts', 'premiere-uxp'),
  entry('davinci-bridge', '@framewright/davinci-bridge', 'src/index.ts', 'davinci-bridge'),
]);

/** Inferred types longer than this are reported by a hash: still a change detector, not a wall of text. */
const MAX_TYPE_LENGTH = 600;
const FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

function bounded(text: string): string {
  const flat = oneLine(text);
  if (flat.length <= MAX_TYPE_LENGTH) return flat;
  return `/* ${flat.length} characters, sha256 ${createHash('sha256').update(flat).digest('hex').slice(0, 12)} */`;
}

function typeParams(node: ts.Node): string {
  const params = (node as { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> }).typeParameters;
  return params && params.length > 0 ? `<${params.map((p) => oneLine(p.getText())).join(', ')}>` : '';
}

/** `<T>(a: A, b?: B): R` from the declaration's own text; an inferred return type is bounded. */
function signatureText(checker: ts.TypeChecker, decl: ts.SignatureDeclaration): string {
  const params = decl.parameters.map((p) => oneLine(p.getText())).join(', ');
  let returns = decl.type ? oneLine(decl.type.getText()) : undefined;
  if (returns === undefined && !ts.isConstructorDeclaration(decl)) {
    const signature = checker.getSignatureFromDeclaration(decl);
    returns = signature ? bounded(checker.typeToString(checker.getReturnTypeOfSignature(signature), undefined, FLAGS)) : 'unknown';
  }
  return `${typeParams(decl)}(${params})${returns === undefined ? '' : `: ${returns}`}`;
}

function isPublicMember(member: ts.ClassElement | ts.TypeElement): boolean {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return false;
  const flags = ts.getCombinedModifierFlags(member as unknown as ts.Declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  return !ts.getJSDocTags(member).some((t) => t.tagName.text === 'internal');
}

function memberLine(checker: ts.TypeChecker, member: ts.ClassElement | ts.TypeElement): string | undefined {
  if (!isPublicMember(member)) return undefined;
  const statik = ts.getCombinedModifierFlags(member as unknown as ts.Declaration) & ts.ModifierFlags.Static ? 'static ' : '';
  const readonly = ts.getCombinedModifierFlags(member as unknown as ts.Declaration) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
  const name = member.name?.getText() ?? '';
  const optional = (member as { questionToken?: ts.Node }).questionToken ? '?' : '';
  if (ts.isConstructorDeclaration(member) || ts.isConstructSignatureDeclaration(member)) {
    // An overloaded constructor's implementation is not callable from outside.
    if (ts.isConstructorDeclaration(member) && member.body !== undefined && member.parent.members.filter(ts.isConstructorDeclaration).length > 1) return undefined;
    return `constructor${signatureText(checker, member)}`;
  }
  if (ts.isMethodDeclaration(member) || ts.isMethodSignature(member) || ts.isCallSignatureDeclaration(member)) {
    if (ts.isMethodDeclaration(member) && member.body !== undefined && isOverloadImplementation(member)) return undefined;
    return `${statik}${name}${optional}${signatureText(checker, member)}`;
  }
  if (ts.isGetAccessorDeclaration(member) || ts.isGetAccessor(member)) {
    return `${statik}get ${name}(): ${bounded(checker.typeToString(checker.getTypeAtLocation(member), undefined, FLAGS))}`;
  }
  if (ts.isSetAccessorDeclaration(member)) return `${statik}set ${name}(${member.parameters.map((p) => oneLine(p.getText())).join(', ')})`;
  if (ts.isIndexSignatureDeclaration(member)) return oneLine(member.getText()).replace(/;$/, '');
  if (ts.isPropertyDeclaration(member) || ts.isPropertySignature(member)) {
    const type = member.type ? oneLine(member.type.getText()) : bounded(checker.typeToString(checker.getTypeAtLocation(member), undefined, FLAGS));
    return `${statik}${readonly}${name}${optional}: ${type}`;
  }
  return undefined;
}

function members(checker: ts.TypeChecker, list: readonly (ts.ClassElement | ts.TypeElement)[]): string {
  const lines = list.map((m) => memberLine(checker, m)).filter((l): l is string => l !== undefined);
  return lines.length === 0 ? ' {}' : ` {\n${lines.map((l) => `  ${l};`).join('\n')}\n}`;
}

/** True for the body of a function or method that has overload signatures. */
function isOverloadImplementation(decl: ts.FunctionDeclaration | ts.MethodDeclaration): boolean {
  const parent = decl.parent;
  const siblings: readonly ts.Node[] = ts.isClassLike(parent) ? parent.members : ts.isObjectLiteralExpression(parent) ? parent.properties : parent.getChildren().flatMap((c) => c.getChildren());
  const name = decl.name?.getText();
  return siblings.some((s: ts.Node) => s !== decl && (ts.isFunctionDeclaration(s) || ts.isMethodDeclaration(s)) && s.name?.getText() === name && s.body === undefined);
}

/** One exported name: `kind name signature`, possibly over several lines. */
function describe(checker: ts.TypeChecker, name: string, symbol: ts.Symbol): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const parts: string[] = [];
  for (const decl of target.declarations ?? []) {
    if (ts.isFunctionDeclaration(decl)) {
      if (decl.body !== undefined && (target.declarations ?? []).some((d) => d !== decl && ts.isFunctionDeclaration(d) && d.body === undefined)) continue;
      parts.push(`function ${name}${signatureText(checker, decl)}`);
    } else if (ts.isClassDeclaration(decl)) {
      const heritage = (decl.heritageClauses ?? []).map((h) => ` ${oneLine(h.getText())}`).join('');
      parts.push(`class ${name}${typeParams(decl)}${heritage}${members(checker, decl.members)}`);
    } else if (ts.isInterfaceDeclaration(decl)) {
      const heritage = (decl.heritageClauses ?? []).map((h) => ` ${oneLine(h.getText())}`).join('');
      parts.push(`interface ${name}${typeParams(decl)}${heritage}${members(checker, decl.members)}`);
    } else if (ts.isTypeAliasDeclaration(decl)) {
      parts.push(`type ${name}${typeParams(decl)} = ${bounded(decl.type.getText())}`);
    } else if (ts.isVariableDeclaration(decl)) {
      const constness = decl.parent.flags & ts.NodeFlags.Const ? 'const' : 'let';
      const type = decl.type ? oneLine(decl.type.getText()) : bounded(checker.typeToString(checker.getTypeOfSymbolAtLocation(target, decl), undefined, FLAGS));
      parts.push(`${constness} ${name}: ${type}`);
    } else if (ts.isEnumDeclaration(decl)) {
      parts.push(`enum ${name} { ${decl.members.map((m) => m.name.getText()).join(', ')} }`);
    } else if (ts.isModuleDeclaration(decl) || ts.isSourceFile(decl)) {
      parts.push(`namespace ${name}`);
    }
  }
  return parts.length > 0 ? parts.join('\n') : `unknown ${name}`;
}

function kindOf(line: string): string {
  return line.slice(0, line.indexOf(' '));
}

/** The exported names of one entry point, sorted, each with its kind and signature. */
export function exportedApi(program: ts.Program, source: string): { name: string; kind: string; text: string }[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(source);
  if (file === undefined) throw new Error(`${source} is not part of the program`);
  const module = checker.getSymbolAtLocation(file);
  if (module === undefined) throw new Error(`${source} has no exports`);
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const text = describe(checker, symbol.name, symbol);
      return { name: symbol.name, kind: kindOf(text), text };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A program over every entry point, with the repository's compiler options. */
export function apiProgram(entries: readonly ApiEntry[] = API_ENTRIES): ts.Program {
  const config = ts.readConfigFile(join(repo, 'tsconfig.base.json'), (p) => readFileSync(p, 'utf8'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repo);
  // Packages resolve each other to their sources (as the vitest aliases do), not to whatever dist
  // was last built, so a report never depends on the state of a build.
  const paths = Object.fromEntries(API_ENTRIES.map((e) => [e.specifier, [e.source]]));
  return ts.createProgram(
    entries.map((e) => e.source),
    { ...options, paths, composite: false, declaration: false, emitDeclarationOnly: false, noEmit: true },
  );
}

/** The report text of one entry point. */
export function renderReport(entry: ApiEntry, api: ReturnType<typeof exportedApi>): string {
  const counts = new Map<string, number>();
  for (const { kind } of api) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const summary = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${n} ${k}`).join(', ');
  return [
    `# API report: \`${entry.specifier}\``,
    '',
    `<!-- Generated by \`npm run api:update\` from ${relative(repo, entry.source)}; test/api-report.test.ts fails when the sources differ. Review changes to this file like code. -->`,
    '',
    `${api.length} exported names: ${summary}.`,
    '',
    '```ts',
    ...api.map((a) => a.text),
    '```',
    '',
  ].join('\n');
}

/** Reports of every entry point, by report path. */
export function apiReports(entries: readonly ApiEntry[] = API_ENTRIES): Map<string, string> {
  const program = apiProgram(entries);
  return new Map(entries.map((e) => [e.report, renderReport(e, exportedApi(program, e.source))]));
}
