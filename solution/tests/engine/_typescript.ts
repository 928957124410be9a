// The TypeScript compiler, as the part of its API the engine check uses.
// Required, not imported: an import would bring the compiler's own
// declarations (half a megabyte) into the program ts-jest builds on every
// run of npm test, for nothing the tests need.

/** A node of a syntax tree, with the fields the check reads. */
export interface TsNode {
  readonly kind: number;
  readonly parent: TsNode;
  readonly name?: TsNode;
  readonly expression?: TsNode;
  readonly propertyName?: TsNode;
  /** An identifier's name. */
  readonly text?: string;
  getStart(source: TsSourceFile): number;
}

export interface TsSourceFile extends TsNode {
  getLineAndCharacterOfPosition(position: number): { readonly line: number; readonly character: number };
}

/** The syntax kinds the check names (see _node-globals.ts). */
export type KindName =
  | "Identifier"
  | "PropertyAccessExpression"
  | "QualifiedName"
  | "VariableDeclaration"
  | "Parameter"
  | "FunctionDeclaration"
  | "FunctionExpression"
  | "ClassDeclaration"
  | "ClassExpression"
  | "BindingElement"
  | "ImportSpecifier"
  | "ImportClause"
  | "NamespaceImport"
  | "ImportEqualsDeclaration"
  | "EnumDeclaration"
  | "ExportSpecifier"
  | "LabeledStatement"
  | "BreakStatement"
  | "ContinueStatement"
  | "PropertyAssignment"
  | "MethodDeclaration"
  | "PropertyDeclaration"
  | "PropertySignature"
  | "MethodSignature"
  | "GetAccessor"
  | "SetAccessor"
  | "EnumMember"
  | "InterfaceDeclaration"
  | "TypeAliasDeclaration"
  | "ExpressionWithTypeArguments";

export interface TypeScript {
  readonly SyntaxKind: Readonly<Record<KindName, number>>;
  readonly ScriptTarget: { readonly ES2022: number };
  readonly ScriptKind: { readonly TS: number };
  readonly ModuleKind: { readonly CommonJS: number };
  readonly ModifierFlags: { readonly Ambient: number };
  createSourceFile(fileName: string, text: string, target: number, setParents: boolean, kind: number): TsSourceFile;
  forEachChild(node: TsNode, visit: (child: TsNode) => void): void;
  isTypeNode(node: TsNode): boolean;
  getCombinedModifierFlags(node: TsNode): number;
  transpileModule(
    text: string,
    options: { compilerOptions: Readonly<Record<string, unknown>>; fileName: string },
  ): { outputText: string };
}

/** The compiler Jest has already loaded (ts-jest's). */
export function typescript(): TypeScript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("typescript") as TypeScript;
}
