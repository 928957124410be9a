// Finding, in a student file's TypeScript, the places that use a global
// Node has and the grader's engine does not (process, Buffer, Intl,
// setTimeout, require, ...): read from the syntax tree, so that a use
// guarded by `typeof process !== "undefined"` is found as well as one that
// throws. A name the file declares itself is its own, not the global.

import ts from "typescript";
import type { NodeOnlyUse } from "./_bridge";

/** The uses in `text` of names in `globals` that the file does not declare, in order. */
export function nodeOnlyUses(text: string, fileName: string, globals: ReadonlySet<string>): NodeOnlyUse[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const uses: NodeOnlyUse[] = [];
  const visit = (node: ts.Node): void => {
    // types are erased before the code runs
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isIdentifier(node) && globals.has(node.text)) {
      if (declares(node)) declared.add(node.text);
      else if (refers(node)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        uses.push({ name: node.text, line });
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

// Whether `id` names something the file declares (a variable, parameter, function, class, import, enum).
function declares(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isVariableDeclaration(p))
    return p.name === id && (ts.getCombinedModifierFlags(p) & ts.ModifierFlags.Ambient) === 0;
  const named =
    ts.isParameter(p) ||
    ts.isFunctionDeclaration(p) ||
    ts.isFunctionExpression(p) ||
    ts.isClassDeclaration(p) ||
    ts.isClassExpression(p) ||
    ts.isBindingElement(p) ||
    ts.isImportSpecifier(p) ||
    ts.isImportClause(p) ||
    ts.isNamespaceImport(p) ||
    ts.isImportEqualsDeclaration(p) ||
    ts.isEnumDeclaration(p);
  return named && (p as { name?: ts.Node }).name === id;
}

// Whether `id` is read as a value where it stands (not a property's name, a label or an export's alias).
function refers(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.expression === id;
  if (ts.isQualifiedName(p)) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  const member =
    ts.isPropertyAssignment(p) ||
    ts.isMethodDeclaration(p) ||
    ts.isPropertyDeclaration(p) ||
    ts.isPropertySignature(p) ||
    ts.isMethodSignature(p) ||
    ts.isGetAccessorDeclaration(p) ||
    ts.isSetAccessorDeclaration(p) ||
    ts.isEnumMember(p);
  return !(member && p.name === id);
}
