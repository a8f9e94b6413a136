// The types an unannotated callback parameter can have, read from the callee's declared
// signatures instead of asked of the checker. `router.get(path, async (req, res) => …)`: the
// checker types `req` by resolving the call's overloads with the callback typed, which infers the
// callback's return type from its body: the costliest question the rules ask (issue 16). The
// declared signatures give, without resolving anything, every type the parameter could get: a
// question whose answer is the same for all of them (and for `any`, what the parameter is when no
// contextual signature applies) is answered without the checker.
import type * as ts from 'typescript';
import { isFunctionLikeWithBody, type TS } from './ts-utils.js';
import { type TypeQuestions } from './type-questions.js';

/**
 * Types whose instantiation can change what the questions below look at (which properties there
 * are, what they are): type variables and what is built from them.
 */
export function isOpenType(t: TS, type: ts.Type): boolean {
  if (
    type.flags &
    (t.TypeFlags.TypeParameter |
      t.TypeFlags.Index |
      t.TypeFlags.IndexedAccess |
      t.TypeFlags.Conditional |
      t.TypeFlags.Substitution |
      t.TypeFlags.TemplateLiteral |
      t.TypeFlags.StringMapping)
  )
    return true;
  if (type.flags & t.TypeFlags.Object)
    return ((type as ts.ObjectType).objectFlags & (t.ObjectFlags.Mapped | t.ObjectFlags.ReverseMapped)) !== 0;
  if (type.isUnionOrIntersection()) return type.types.some((part) => isOpenType(t, part));
  return false;
}

/**
 * The declared types `parameter` can get from its function's place as a call's argument: for each
 * signature of the callee, the callback type at the argument's position, and for each call
 * signature of that, the type at the parameter's position (uninstantiated: the callee's type
 * parameters stay open). Positions past a callback signature's parameters give nothing (the
 * parameter is `any` there). Undefined when the parameter's type is not only contextual (it is
 * annotated, has a default, is a rest or `this` parameter; JavaScript, where JSDoc may type it),
 * when the function is not a plain argument of a call (a spread before it, a cast around it), or
 * when a type on the way is open (a type parameter, a mapped or conditional type): the checker
 * must be asked then.
 */
export function declaredCallbackParameterTypes(
  t: TS,
  types: TypeQuestions,
  parameter: ts.ParameterDeclaration,
): ts.Type[] | undefined {
  const fn = parameter.parent;
  if (!isFunctionLikeWithBody(t, fn) || !(t.isArrowFunction(fn) || t.isFunctionExpression(fn))) return undefined;
  if (parameter.type || parameter.initializer || parameter.dotDotDotToken || parameter.questionToken) return undefined;
  if (fn.typeParameters || fn.parameters.some((p) => t.isIdentifier(p.name) && p.name.text === 'this'))
    return undefined;
  if (fn.getSourceFile().flags & t.NodeFlags.JavaScriptFile) return undefined;
  const call = fn.parent;
  if (!(t.isCallExpression(call) || t.isNewExpression(call)) || !call.arguments) return undefined;
  const argumentIndex = call.arguments.indexOf(fn);
  if (argumentIndex < 0 || call.arguments.slice(0, argumentIndex).some((a) => t.isSpreadElement(a))) return undefined;
  const parameterIndex = fn.parameters.indexOf(parameter);

  const calleeType = types.getTypeAtLocation(call.expression);
  if (calleeType.isUnion() || isOpenType(t, calleeType)) return undefined;
  const signatures = t.isCallExpression(call) ? calleeType.getCallSignatures() : calleeType.getConstructSignatures();
  if (signatures.length === 0) return undefined;
  const found: ts.Type[] = [];
  for (const signature of signatures) {
    const callbackType = typeAtPosition(t, types, signature, argumentIndex);
    if (!callbackType) continue; // past the signature's parameters: not applicable
    if (callbackType === 'open') return undefined;
    for (const part of callbackType.isUnion() ? callbackType.types : [callbackType]) {
      if (isOpenType(t, part)) return undefined;
      for (const callback of part.getCallSignatures()) {
        if (callback.getTypeParameters()?.length) return undefined;
        const type = typeAtPosition(t, types, callback, parameterIndex);
        if (type === 'open') return undefined;
        if (type) found.push(type);
      }
    }
  }
  return found;
}

/**
 * The declared type of a signature's parameter at `position`: a rest parameter's element type
 * (`...handlers: RequestHandler[]`), nothing past the last parameter, 'open' where the position
 * cannot be read without instantiating (a tuple or generic rest).
 */
function typeAtPosition(
  t: TS,
  types: TypeQuestions,
  signature: ts.Signature,
  position: number,
): ts.Type | 'open' | undefined {
  const parameters = signature.getParameters();
  const last = parameters[parameters.length - 1];
  const lastDeclaration = last?.valueDeclaration;
  if (!last) return undefined;
  // A parameter the checker made up (from a tuple's elements, a JavaScript signature) may be a rest.
  if (!lastDeclaration || !t.isParameter(lastDeclaration)) return 'open';
  const hasRest = lastDeclaration.dotDotDotToken !== undefined;
  if (!hasRest && position >= parameters.length) return undefined;
  if (hasRest && position >= parameters.length - 1) {
    const restType = types.getTypeOfSymbol(last);
    if (!types.isArrayType(restType) || types.isTupleType(restType)) return 'open';
    const element = restType.getNumberIndexType();
    return element && !isOpenType(t, element) ? element : 'open';
  }
  const type = types.getTypeOfSymbol(parameters[position]!);
  return isOpenType(t, type) ? 'open' : type;
}
