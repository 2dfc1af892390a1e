// Conditions on columns, joined by "all" (and) or "any" (or): a column, an operator
// that fits its type, and a value. Applied with the Apply button.
import { useState } from 'preact/hooks';
import type { FilterOp } from '../gql/graphql.js';
import {
  type Combinator,
  type Condition,
  conditionProblem,
  isTextOp,
  OP_LABELS,
  operatorsFor,
  type TableColumn,
  takesValue,
} from '../table/filters.js';

interface Props {
  columns: TableColumn[];
  conditions: Condition[];
  combinator: Combinator;
  onApply(conditions: Condition[], combinator: Combinator): void;
}

function blank(columns: TableColumn[]): Condition {
  const column = columns[0];
  return { column: column?.name ?? '', op: column ? (operatorsFor(column.type)[0] as FilterOp) : 'EQ', value: '', ignoreCase: true };
}

function valueHint(column: TableColumn | undefined, op: FilterOp): string {
  const list = op === 'IN' || op === 'NOT_IN' ? ', several separated by commas' : '';
  switch (column?.type) {
    case 'INT':
      return `a whole number${list}`;
    case 'FLOAT':
      return `a number${list}`;
    case 'DATETIME':
      return `a date (2024-01-31) or date-time, UTC${list}`;
    case 'BOOLEAN':
      return 'true or false';
    default:
      return `text${list}`;
  }
}

export function FilterBuilder({ columns, conditions: applied, combinator: appliedCombinator, onApply }: Props) {
  const [conditions, setConditions] = useState<Condition[]>(applied.length > 0 ? applied : [blank(columns)]);
  const [combinator, setCombinator] = useState<Combinator>(appliedCombinator);

  const change = (i: number, next: Partial<Condition>) =>
    setConditions((list) =>
      list.map((condition, j) => {
        if (j !== i) return condition;
        const merged = { ...condition, ...next };
        // A new column may not take the old operator (CONTAINS on numbers).
        const column = columns.find((c) => c.name === merged.column);
        if (column && !operatorsFor(column.type).includes(merged.op)) merged.op = operatorsFor(column.type)[0] as FilterOp;
        return merged;
      }),
    );
  const problems = conditions.map((c) => conditionProblem(c, columns));

  return (
    <form
      class="filter-builder"
      aria-label="Filter builder"
      onSubmit={(event) => {
        event.preventDefault();
        // A condition that does not validate is not applied: nothing claims a filter the grid does not have.
        if (problems.some((p) => p !== null)) {
          (event.currentTarget.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
          return;
        }
        onApply(conditions, combinator);
      }}
    >
      <fieldset class="combinator">
        <legend>Rows must match</legend>
        <label>
          <input type="radio" name="combinator" checked={combinator === 'and'} onChange={() => setCombinator('and')} /> all conditions (and)
        </label>
        <label>
          <input type="radio" name="combinator" checked={combinator === 'or'} onChange={() => setCombinator('or')} /> any condition (or)
        </label>
      </fieldset>
      <ol class="conditions">
        {conditions.map((condition, i) => {
          const column = columns.find((c) => c.name === condition.column);
          const n = i + 1;
          const problem = takesValue(condition.op) && condition.value.trim() === '' && column?.type !== 'STRING' ? null : problems[i];
          return (
            // Conditions have no identity but their place.
            <li key={i} class="condition">
              <label>
                <span class="visually-hidden">Condition {n}: column</span>
                <select value={condition.column} onChange={(e) => change(i, { column: e.currentTarget.value })}>
                  {columns.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name} ({c.type})
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span class="visually-hidden">Condition {n}: operator</span>
                <select value={condition.op} onChange={(e) => change(i, { op: e.currentTarget.value as FilterOp })}>
                  {operatorsFor(column?.type ?? 'STRING').map((op) => (
                    <option key={op} value={op}>
                      {OP_LABELS[op]}
                    </option>
                  ))}
                </select>
              </label>
              {takesValue(condition.op) &&
                (column?.type === 'BOOLEAN' ? (
                  <label>
                    <span class="visually-hidden">Condition {n}: value</span>
                    <select value={condition.value} onChange={(e) => change(i, { value: e.currentTarget.value })}>
                      <option value="">choose</option>
                      <option value="true">true</option>
                      <option value="false">false</option>
                    </select>
                  </label>
                ) : (
                  <label>
                    <span class="visually-hidden">Condition {n}: value</span>
                    <input
                      value={condition.value}
                      placeholder={valueHint(column, condition.op)}
                      aria-invalid={problem ? true : undefined}
                      onInput={(e) => change(i, { value: e.currentTarget.value })}
                    />
                  </label>
                ))}
              {column && isTextOp(column.type) && takesValue(condition.op) && (
                <label class="ignore-case">
                  <input
                    type="checkbox"
                    checked={condition.ignoreCase}
                    onChange={(e) => change(i, { ignoreCase: e.currentTarget.checked })}
                  />{' '}
                  ignore case
                </label>
              )}
              <button
                type="button"
                class="link-button"
                onClick={() => setConditions((list) => list.filter((_, j) => j !== i))}
                aria-label={`Remove condition ${n}`}
              >
                Remove
              </button>
              {problem && <span class="problem">{problem}</span>}
            </li>
          );
        })}
      </ol>
      <div class="builder-actions">
        <button type="button" onClick={() => setConditions((list) => [...list, blank(columns)])}>
          Add condition
        </button>
        <button type="submit" class="primary">
          Apply
        </button>
        <button
          type="button"
          onClick={() => {
            setConditions([blank(columns)]);
            onApply([], combinator);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
