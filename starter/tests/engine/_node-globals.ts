// Finding, in a student file's TypeScript, the places that use a global
// Node has and the grader's engine does not (process, Buffer, Intl,
// setTimeout, require, ...): read from the syntax tree, so that a use
// guarded by `typeof process !== "undefined"` is found as well as one that
// throws. A name the file declares itself is its own, not the global.

import type { NodeOnlyUse } from "./_bridge";
import { KindName, TsNode, TypeScript, typescript } from "./_typescript";

/** The syntax kinds whose `name` declares a name of the file (a variable's is checked apart: `declare` declares none). */
const DECLARATIONS: readonly KindName[] = [
  "Parameter",
  "FunctionDeclaration",
  "FunctionExpression",
  "ClassDeclaration",
  "ClassExpression",
  "BindingElement",
  "ImportSpecifier",
  "ImportClause",
  "NamespaceImport",
  "ImportEqualsDeclaration",
  "EnumDeclaration",
];
/** The syntax kinds whose `name` is a member's, not a use of a variable. */
const MEMBERS: readonly KindName[] = [
  "PropertyAssignment",
  "MethodDeclaration",
  "PropertyDeclaration",
  "PropertySignature",
  "MethodSignature",
  "GetAccessor",
  "SetAccessor",
  "EnumMember",
];
/** The syntax kinds where an identifier is never a variable (a label, an export's alias). */
const NEVER: readonly KindName[] = [
  "ImportSpecifier",
  "ExportSpecifier",
  "LabeledStatement",
  "BreakStatement",
  "ContinueStatement",
  "QualifiedName",
];

/** The uses in `text` of names in `globals` that the file does not declare, in order. */
export function nodeOnlyUses(text: string, fileName: string, globals: ReadonlySet<string>): NodeOnlyUse[] {
  const ts = typescript();
  const kinds = kindsOf(ts);
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const uses: NodeOnlyUse[] = [];
  const visit = (node: TsNode): void => {
    // types are erased before the code runs
    if (ts.isTypeNode(node) && node.kind !== kinds.of.ExpressionWithTypeArguments) return;
    if (node.kind === kinds.of.InterfaceDeclaration || node.kind === kinds.of.TypeAliasDeclaration) return;
    if (node.kind === kinds.of.Identifier && globals.has(node.text!)) {
      if (declares(ts, kinds, node)) declared.add(node.text!);
      else if (refers(kinds, node)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        uses.push({ name: node.text!, line });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const seen = new Set<string>();
  return uses.filter((u) => {
    const key = `${u.name}:${u.line}`;
    if (declared.has(u.name) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Kinds {
  readonly of: Readonly<Record<KindName, number>>;
  readonly declarations: ReadonlySet<number>;
  readonly members: ReadonlySet<number>;
  readonly never: ReadonlySet<number>;
}

function kindsOf(ts: TypeScript): Kinds {
  const of = ts.SyntaxKind;
  const set = (names: readonly KindName[]) => new Set(names.map((n) => of[n]));
  return { of, declarations: set(DECLARATIONS), members: set(MEMBERS), never: set(NEVER) };
}

// Whether `id` names something the file declares (a variable, parameter, function, class, import, enum).
function declares(ts: TypeScript, k: Kinds, id: TsNode): boolean {
  const p = id.parent;
  if (p.kind === k.of.VariableDeclaration)
    return p.name === id && (ts.getCombinedModifierFlags(p) & ts.ModifierFlags.Ambient) === 0;
  return k.declarations.has(p.kind) && p.name === id;
}

// Whether `id` is read as a variable where it stands (not a property's or a member's name).
function refers(k: Kinds, id: TsNode): boolean {
  const p = id.parent;
  if (p.kind === k.of.PropertyAccessExpression) return p.expression === id;
  if (p.kind === k.of.BindingElement && p.propertyName === id) return false;
  if (k.never.has(p.kind)) return false;
  return !(k.members.has(p.kind) && p.name === id);
}
