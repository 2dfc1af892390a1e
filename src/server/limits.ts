// Limits on hostile queries, as envelop plugins: depth, aliases, tokens, directives
// and estimated cost (graphql-armor: one maintained set of plugins for all of them),
// and introspection switched off when BUCKETQL_INTROSPECTION=0.
import { type CostLimitOptions, costLimitPlugin, costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLNamedType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
  validate,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Settings } from '../config/settings.js';
import { withLimitSetting } from './errors.js';

function disableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/** graphql-js's suggestions (didYouMean): ` Did you mean "sales"?`, ` Did you mean the enum value "ASC"?`, … */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!SUGGESTION.test(error.message)) return error;
  SUGGESTION.lastIndex = 0;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * With introspection off, graphql-js's "Did you mean …?" would still spell out the
 * schema one guess at a time (fields, arguments, enum values, input fields, types):
 * they are cut from validation errors and from the errors of variables, which
 * graphql-js finds when execution starts. (graphql-armor's block-field-suggestions
 * misses the enum-value and inline-fragment forms and the variables.)
 */
function hideSuggestions(): Plugin {
  const strip = <E extends Error>(errors: readonly E[]): (E | GraphQLError)[] =>
    errors.map((error) => (error instanceof GraphQLError ? withoutSuggestion(error) : error));
  return {
    onValidate: () =>
      function onValidateEnd({ valid, result, setResult }) {
        if (!valid) setResult(strip(result));
      },
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if ('errors' in result && result.errors?.length) setResult({ ...result, errors: strip(result.errors) });
      },
    }),
  };
}

/** The arguments graphql-armor's cost estimate multiplies by. */
const PAGE_ARGUMENTS = new Set(['first', 'last']);

/**
 * The document with every `first: $variable` replaced by the variable's value (or its
 * default), or null when no page size comes from a variable.
 */
function withPageSizesInlined(document: DocumentNode, variables: Record<string, unknown>): DocumentNode | null {
  const defaults = new Map<string, ValueNode>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of definition.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  }
  let inlined = false;
  const rewritten = visit(document, {
    Argument(node: ArgumentNode) {
      if (!PAGE_ARGUMENTS.has(node.name.value) || node.value.kind !== Kind.VARIABLE) return undefined;
      const name = node.value.name.value;
      const given = variables[name];
      const value: ValueNode | undefined =
        typeof given === 'number' && Number.isInteger(given)
          ? { kind: Kind.INT, value: String(given) }
          : given === undefined
            ? defaults.get(name)
            : undefined;
      if (!value) return undefined;
      inlined = true;
      return { ...node, value };
    },
  });
  return inlined ? rewritten : null;
}

/**
 * graphql-armor's cost limit runs at validation, which yoga caches per document, so it
 * sees `first` only when it is written in the query: `rows(first: $n)` would cost as
 * one row however large `$n` is. This runs the same estimate again before execution,
 * with the page sizes that variables give, and refuses the query the same way.
 */
function costLimitWithVariables(options: CostLimitOptions & { maxCost: number }): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const document = withPageSizesInlined(args.document, (args.variableValues ?? {}) as Record<string, unknown>);
      if (!document) return;
      let rejected: GraphQLError | null = null;
      validate(args.schema, document, [
        costLimitRule({
          ...options,
          propagateOnRejection: false,
          onReject: [
            (_context, error) => {
              rejected ??= error;
            },
          ],
        }),
      ]);
      const error = rejected as GraphQLError | null;
      if (error) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              withLimitSetting(error.message.replace(/^Syntax Error: /, '').replace(/\.$/, ', with the page sizes given by variables.')),
              {
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: true } },
              },
            ),
          ],
        });
      }
    },
  };
}

/** Fields that read a whole object or table, by the type that holds them. */
const SCAN_FIELDS: Record<string, ReadonlySet<string>> = {
  Table: new Set(['rowCount', 'count', 'aggregate', 'summary']),
  S3Object: new Set(['text', 'json', 'content']),
};

/**
 * True for a field that reads a whole object or table: the ones above, every
 * `totalCount` (table and dataset connections), a page with `where` or `orderBy`
 * (`Table.rows`, a dataset's field) and a dataset's `…Aggregate`.
 */
function isScan(parent: GraphQLNamedType, field: FieldNode, queryTypeName: string | undefined): boolean {
  const name = field.name.value;
  if (SCAN_FIELDS[parent.name]?.has(name) || name === 'totalCount') return true;
  if ((field.arguments ?? []).some((a) => a.name.value === 'where' || a.name.value === 'orderBy')) return true;
  return parent.name === queryTypeName && name.endsWith('Aggregate');
}

/** Scans a selection set starts, counting fields as graphql-js runs them (same response key, one field). */
function countScans(context: ValidationContext, selectionSet: SelectionSetNode, parent: GraphQLNamedType, seen: Set<string>): number {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
  const byKey = new Map<string, FieldNode[]>();
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        byKey.set(key, [...(byKey.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = context.getFragment(name);
        if (!fragment || seen.has(name)) continue;
        seen.add(name);
        collect(fragment.selectionSet);
        seen.delete(name);
      }
    }
  };
  collect(selectionSet);
  const queryTypeName = context.getSchema().getQueryType()?.name;
  let scans = 0;
  for (const nodes of byKey.values()) {
    const first = nodes[0] as FieldNode;
    if (isScan(parent, first, queryTypeName)) scans++;
    const type = parent.getFields()[first.name.value]?.type;
    if (!type) continue;
    for (const node of nodes) if (node.selectionSet) scans += countScans(context, node.selectionSet, getNamedType(type), seen);
  }
  return scans;
}

/**
 * Reads of whole objects are the expensive part of a query, which the cost estimate
 * (objects and scalars) does not see: the scans a document starts are counted before it
 * runs, against BUCKETQL_MAX_SCANS_PER_REQUEST. (Scans multiplied by a list are counted
 * again as they start, by ScanBudget.)
 */
function scanLimitRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const root = operation.operation === 'query' ? context.getSchema().getQueryType() : context.getSchema().getMutationType();
      if (!root) return;
      const scans = countScans(context, operation.selectionSet, root, new Set());
      if (scans > max) {
        context.reportError(
          new GraphQLError(
            `This query reads ${scans} whole objects or tables (table scans, text/json/content), more than ${max} (BUCKETQL_MAX_SCANS_PER_REQUEST): split it into several requests.`,
            { nodes: [operation], extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, spec: true } } },
          ),
        );
      }
    },
  });
}

function scanLimit(max: number): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(scanLimitRule(max));
    },
  };
}

export function queryLimitPlugins(settings: Settings): Plugin[] {
  const cost = { maxCost: settings.maxCost, ignoreIntrospection: true, exposeLimits: true };
  const plugins = [
    maxDepthPlugin({ n: settings.maxDepth, ignoreIntrospection: true, exposeLimits: true }),
    maxAliasesPlugin({ n: settings.maxAliases, allowList: [], exposeLimits: true }),
    maxTokensPlugin({ n: settings.maxTokens, exposeLimits: true }),
    maxDirectivesPlugin({ n: 20, exposeLimits: true }),
    costLimitPlugin(cost),
    costLimitWithVariables(cost),
    scanLimit(settings.maxScansPerRequest),
  ] as Plugin[];
  if (!settings.introspection) plugins.push(disableIntrospection(), hideSuggestions());
  return plugins;
}
