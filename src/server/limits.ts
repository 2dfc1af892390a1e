// Limits on hostile queries, as envelop plugins: depth, aliases, tokens, directives
// and estimated cost (graphql-armor: one maintained set of plugins for all of them),
// and introspection switched off when BUCKETQL_INTROSPECTION=0.
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Settings } from '../config/settings.js';

function disableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

export function queryLimitPlugins(settings: Settings): Plugin[] {
  const plugins = [
    maxDepthPlugin({ n: settings.maxDepth, ignoreIntrospection: true, exposeLimits: true }),
    maxAliasesPlugin({ n: settings.maxAliases, allowList: [], exposeLimits: true }),
    maxTokensPlugin({ n: settings.maxTokens, exposeLimits: true }),
    maxDirectivesPlugin({ n: 20, exposeLimits: true }),
    costLimitPlugin({ maxCost: settings.maxCost, ignoreIntrospection: true, exposeLimits: true }),
  ] as Plugin[];
  if (!settings.introspection) plugins.push(disableIntrospection());
  return plugins;
}
