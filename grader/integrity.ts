// The integrity check: what in a student file reaches past the lab's own
// interface. The files a student edits may import from "./defs" (the
// kernel's defs.h) and nothing else that runs; anything that could touch
// the Node.js process, the test framework, the simulated hardware or the
// frame allocator's internals is flagged with its file:line and a sentence
// the student understands. The rubric decides what a flag costs.
//
// This reads the TypeScript syntax tree (never the text with patterns), and
// resolves each name against the file's own declarations, so a local
// variable called `it` or `self` is not the global of that name. It runs
// in the compiler's process, with the compiler's time limit. It is the
// first line only: the student's code runs in a QuickJS engine of its own
// (solution/src/engine/sandbox.ts) where none of these things exist, under
// an operating-system layer (sandbox/isolation.ts), so a trick it cannot
// see still gets nothing.

import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import type { IntegrityFlag, IntegrityRule } from "./model";

/** Flags shown per file at most (the rest are counted in one more flag). */
const MAX_FLAGS = 20;

const ONLY_DEFS = 'the lab\'s files may import only from "./defs"';

/** Globals a student file must not name, with what they are. */
const GLOBALS: ReadonlyMap<string, [IntegrityRule, string]> = new Map([
  ["require", ["require", `uses require(), which loads any module; ${ONLY_DEFS}`]],
  ["eval", ["code-from-text", "uses eval, which runs text as code; the lab's files may not"]],
  ["Function", ["code-from-text", "uses Function, which turns text into code; the lab's files may not"]],
  ["process", ["process", "uses process, Node.js's handle on the running program; the lab's files may not touch it"]],
  ...["globalThis", "global", "window", "self"].map((g): [string, [IntegrityRule, string]] => [
    g,
    ["globals", `uses ${g}, the object that holds every global; the lab's files may not reach past "./defs"`],
  ]),
  ...["module", "exports", "__filename", "__dirname"].map((g): [string, [IntegrityRule, string]] => [
    g,
    ["globals", `uses ${g}, part of Node.js's module system; write import and export instead`],
  ]),
  ...["Atomics", "SharedArrayBuffer", "WebAssembly"].map((g): [string, [IntegrityRule, string]] => [
    g,
    ["globals", `uses ${g}, which the lab's code has no use for and the grader does not provide`],
  ]),
  ["Reflect", ["reflection", "uses Reflect, which can reach code outside the lab's files; the lab's files may not"]],
  ...[
    "expect",
    "jest",
    "test",
    "it",
    "describe",
    "beforeEach",
    "afterEach",
    "beforeAll",
    "afterAll",
    "fit",
    "xit",
    "xtest",
    "fdescribe",
    "xdescribe",
  ].map((g): [string, [IntegrityRule, string]] => [
    g,
    ["test-framework", `refers to ${g}, a name from the test framework; the lab's files must not touch the tests`],
  ]),
]);

/** Properties that lead from any object to code outside the lab's files. */
const PROPERTIES = new Set([
  "constructor",
  "prototype",
  "__proto__",
  "caller",
  "callee",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

/** Object's functions that reach into other objects' insides. */
const OBJECT_FUNCTIONS = new Set([
  "getPrototypeOf",
  "setPrototypeOf",
  "defineProperty",
  "defineProperties",
  "getOwnPropertyDescriptor",
  "getOwnPropertyDescriptors",
]);

/** Kernel modules a student file must not import at all: the machine's and the allocator's insides. */
const INTERNALS: ReadonlyMap<string, string> = new Map([
  ["src/kernel/hart", 'the hart (the machine the kernel runs on); use sfence_vma from "./defs"'],
  ["src/kernel/kalloc", 'the frame allocator\'s internals; use kalloc, kfree, krefinc and krefcnt from "./defs"'],
]);

/**
 * The integrity flags of the student file `rel` (its path in the project,
 * "src/kernel/cow.ts") whose text is `text`, in order of position.
 */
export function checkIntegrity(rel: string, text: string): IntegrityFlag[] {
  const fileName = `/project/${rel}`;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const checker = soloChecker(sf);
  const flags: IntegrityFlag[] = [];
  const flag = (node: ts.Node, rule: IntegrityRule, message: string): void => {
    const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    flags.push({ file: rel, line: pos.line + 1, column: pos.character + 1, rule, message });
  };
  // a `declare const process: any` declares nothing that runs: the name is still the global
  const isGlobal = (id: ts.Identifier): boolean => {
    const sym = checker.getSymbolAtLocation(id);
    return !(sym?.declarations ?? []).some((d) => d.getSourceFile() === sf && !isAmbient(d));
  };

  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return; // types never run
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        const typeOnly = ts.isImportDeclaration(node) ? importIsTypeOnly(node) : node.isTypeOnly;
        const why = importProblem(rel, node.moduleSpecifier.text, typeOnly);
        if (why !== null) flag(node, why[0], why[1]);
      }
      if (ts.isImportDeclaration(node)) return;
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = node.moduleReference.expression;
      const why = ts.isStringLiteral(spec) ? importProblem(rel, spec.text, node.isTypeOnly) : null;
      if (why !== null) flag(node, why[0], why[1]);
      return;
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      flag(node, "dynamic-import", `uses import(), which loads code while running; ${ONLY_DEFS}, at the top`);
    } else if (ts.isIdentifier(node)) {
      const known = GLOBALS.get(node.text);
      if (known !== undefined && isReference(node) && isGlobal(node)) flag(node, known[0], known[1]);
      if (node.text === "Object" && isReference(node) && isGlobal(node)) objectFunction(node);
    } else if (ts.isPropertyAccessExpression(node) && PROPERTIES.has(node.name.text)) {
      flag(node.name, "reflection", propertyMessage(node.name.text));
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      const name = node.argumentExpression.text;
      if (PROPERTIES.has(name)) flag(node.argumentExpression, "reflection", propertyMessage(name));
    } else if (ts.isBindingElement(node)) {
      const name = node.propertyName ?? node.name;
      if ((ts.isIdentifier(name) || ts.isStringLiteral(name)) && PROPERTIES.has(name.text))
        flag(name, "reflection", propertyMessage(name.text));
    }
    ts.forEachChild(node, visit);
  };
  // Object.getPrototypeOf(...) and its kind
  const objectFunction = (id: ts.Identifier): void => {
    const p = id.parent;
    const name =
      ts.isPropertyAccessExpression(p) && p.expression === id
        ? p.name.text
        : ts.isElementAccessExpression(p) && p.expression === id && ts.isStringLiteralLike(p.argumentExpression)
          ? p.argumentExpression.text
          : null;
    if (name !== null && OBJECT_FUNCTIONS.has(name))
      flag(p, "reflection", `uses Object.${name}, which reaches into other objects; the lab's files may not`);
  };
  visit(sf);
  if (flags.length <= MAX_FLAGS) return flags;
  const last = flags[MAX_FLAGS - 1]!;
  return [...flags.slice(0, MAX_FLAGS - 1), { ...last, message: `... and ${flags.length - MAX_FLAGS + 1} more flags` }];
}

/** "src/kernel/cow.ts:3:1 uses eval, ..." */
export function formatFlag(f: IntegrityFlag): string {
  return `${f.file}:${f.line}:${f.column} ${f.message}`;
}

function propertyMessage(name: string): string {
  return `uses .${name}, which can reach code outside the lab's files; the lab's files may not`;
}

// Whether an identifier names a value here (not a property name, a label, or a declaration's key).
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === id)
    return false;
  if ((ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isPropertySignature(p)) && p.name === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p))
    return false;
  if (ts.isEnumMember(p) && p.name === id) return false;
  // the name a declaration declares (a shorthand { process } is a use, though)
  if (!ts.isShorthandPropertyAssignment(p) && (p as ts.Node & { name?: ts.Node }).name === id) return false;
  return true;
}

// Inside a `declare`: it declares what exists elsewhere, and runs nothing.
function isAmbient(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent)
    if (ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))
      return true;
  return false;
}

function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // import "x": runs it
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** What is wrong with importing `spec` from the student file `rel`, or null. */
function importProblem(rel: string, spec: string, typeOnly: boolean): [IntegrityRule, string] | null {
  if (spec === "./defs") return null;
  const bare = spec.startsWith("node:") ? spec.slice(5) : spec;
  if (spec.startsWith("node:") || builtinModules.includes(bare.split("/")[0]!))
    return ["node-module", `imports "${spec}", a Node.js module; ${ONLY_DEFS}`];
  if (!spec.startsWith("./") && !spec.startsWith("../"))
    return ["package", `imports "${spec}", a package from outside the lab; ${ONLY_DEFS}`];
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)).replace(/\.(js|ts)$/, "");
  if (!target.startsWith("src/")) return ["import", `imports "${spec}", which is outside the lab's code; ${ONLY_DEFS}`];
  const internal = INTERNALS.get(target);
  if (internal !== undefined) return ["hardware", `imports "${spec}", ${internal}`];
  if (target.startsWith("src/hw/") && !(typeOnly && target === "src/hw/riscv"))
    return [
      "hardware",
      `imports "${spec}", the simulated hardware; the lab's files may reach the machine only through "./defs"`,
    ];
  if (typeOnly) return null;
  return ["import", `imports "${spec}"; ${ONLY_DEFS} (everything the lab needs is there)`];
}

// A type checker that knows this one file and nothing else (no lib, no
// imports followed): a name it cannot resolve to this file's declarations
// is a global.
function soloChecker(sf: ts.SourceFile): ts.TypeChecker {
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.ES2022 };
  const host: ts.CompilerHost = {
    getSourceFile: (f) => (f === sf.fileName ? sf : undefined),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => undefined,
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => f === sf.fileName,
    readFile: () => undefined,
  };
  return ts.createProgram({ rootNames: [sf.fileName], options, host }).getTypeChecker();
}
