// Where we are: Buckets › bucket › folder › ... , each step a link but the last.
import { type Route, routeHref } from '../route.js';

interface Props {
  bucket?: string;
  /** The folder prefix ("a/b/") or object key ("a/b/c.csv") below the bucket. */
  path?: string;
}

export function Breadcrumbs({ bucket, path = '' }: Props) {
  const steps: { label: string; route: Route }[] = [{ label: 'Buckets', route: { name: 'buckets' } }];
  if (bucket !== undefined) {
    steps.push({ label: bucket, route: { name: 'folder', bucket, prefix: '' } });
    const parts = path.split('/');
    let prefix = '';
    parts.forEach((part, i) => {
      if (i === parts.length - 1 && part === '') return; // a folder's trailing slash
      const isLast = i === parts.length - 1;
      prefix += isLast ? part : `${part}/`;
      steps.push({
        label: part || '(empty name)',
        route: isLast ? { name: 'object', bucket, key: prefix } : { name: 'folder', bucket, prefix },
      });
    });
  }
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <ol>
        {steps.map((step, i) => (
          <li key={routeHref(step.route)}>
            {i === steps.length - 1 ? <span aria-current="page">{step.label}</span> : <a href={routeHref(step.route)}>{step.label}</a>}
          </li>
        ))}
      </ol>
    </nav>
  );
}
