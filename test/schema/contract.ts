// Compares a schema with the contract's SDL: every type, field, argument, input field
// and enum value of the contract must exist with the same type and default.
// (The same checks as shared/tools/contract-check.mjs, kept here so CI needs no shared folder.)
import {
  astFromValue,
  buildSchema,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  print,
} from 'graphql';

type Arg = { defaultValue?: unknown; type: Parameters<typeof astFromValue>[1] };

function defaultOf(arg: Arg): string | undefined {
  if (arg.defaultValue === undefined) return undefined;
  const ast = astFromValue(arg.defaultValue, arg.type);
  return ast ? print(ast) : undefined;
}

export function contractProblems(contractSdl: string, actual: GraphQLSchema): string[] {
  const contract = buildSchema(contractSdl);
  const problems: string[] = [];
  const kindOf = (t: unknown) => (t as { constructor?: { name?: string } })?.constructor?.name ?? 'nothing';
  for (const [name, want] of Object.entries(contract.getTypeMap())) {
    if (name.startsWith('__')) continue;
    const got = actual.getType(name);
    if (!got) {
      problems.push(`missing type ${name}`);
      continue;
    }
    if (kindOf(got) !== kindOf(want)) {
      problems.push(`${name} is ${kindOf(got)}, contract says ${kindOf(want)}`);
      continue;
    }
    if (isEnumType(want) && isEnumType(got)) {
      const have = new Set(got.getValues().map((v) => v.name));
      for (const v of want.getValues()) if (!have.has(v.name)) problems.push(`missing enum value ${name}.${v.name}`);
    }
    if (
      (isObjectType(want) || isInterfaceType(want) || isInputObjectType(want)) &&
      (isObjectType(got) || isInterfaceType(got) || isInputObjectType(got))
    ) {
      const gotFields = got.getFields() as Record<string, { type: unknown; args?: readonly (Arg & { name: string })[] } & Arg>;
      for (const [fieldName, wf] of Object.entries(want.getFields()) as [
        string,
        { type: unknown; args?: readonly (Arg & { name: string })[] } & Arg,
      ][]) {
        const gf = gotFields[fieldName];
        if (!gf) {
          problems.push(`missing field ${name}.${fieldName}`);
          continue;
        }
        if (String(gf.type) !== String(wf.type)) problems.push(`${name}.${fieldName} is ${gf.type}, contract says ${wf.type}`);
        for (const wa of wf.args ?? []) {
          const ga = (gf.args ?? []).find((a) => a.name === wa.name);
          if (!ga) {
            problems.push(`missing argument ${name}.${fieldName}(${wa.name})`);
            continue;
          }
          if (String(ga.type) !== String(wa.type))
            problems.push(`${name}.${fieldName}(${wa.name}) is ${ga.type}, contract says ${wa.type}`);
          if (defaultOf(ga) !== defaultOf(wa))
            problems.push(`${name}.${fieldName}(${wa.name}) defaults to ${defaultOf(ga)}, contract says ${defaultOf(wa)}`);
        }
        if (isInputObjectType(want) && defaultOf(gf) !== defaultOf(wf))
          problems.push(`${name}.${fieldName} defaults to ${defaultOf(gf)}, contract says ${defaultOf(wf)}`);
      }
    }
  }
  return problems;
}
