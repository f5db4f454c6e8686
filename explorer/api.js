// The explorer's only way to the data: POST /graphql. The queries below are the whole
// of what the page asks; graphiqlUrl turns one of them, with its variables written in,
// into a GraphiQL link that shows the same data.

export const ENDPOINT = '/graphql';

/** The biggest render the page asks for: enough for the panel, and quick to draw. */
export const RENDER_SIZE = 800;

export const DATASETS_QUERY = `query ExplorerDatasets {
  datasets {
    name
    splitBy
    counts { refs }
    splits { name counts { refs } }
  }
}`;

export const REFS_QUERY = `query ExplorerRefs($name: String!, $splitBy: String!, $split: String, $text: String, $first: Int!, $after: String) {
  dataset(name: $name, splitBy: $splitBy) {
    refs(split: $split, text: $text, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          refId
          split
          noTarget
          categories { name }
          sentences { sent }
        }
      }
    }
  }
}`;

export const REF_QUERY = `query ExplorerRef($name: String!, $splitBy: String!, $refId: Int!, $maxSize: Int) {
  dataset(name: $name, splitBy: $splitBy) {
    ref(refId: $refId) {
      refId
      split
      noTarget
      annotations { annId }
      boxes
      segRender: renderUrl(mode: SEG, maxSize: $maxSize)
      boxRender: renderUrl(mode: BOX, maxSize: $maxSize)
      maskRender: renderUrl(mode: MASK, maxSize: $maxSize)
      categories { categoryId name supercategory }
      sentences { sentId sent raw }
      image {
        imageId
        fileName
        width
        height
        fileExists
        url
        refs { refId noTarget categories { name } sentences { sent } }
      }
    }
  }
}`;

/** Runs a query; resolves to its data, or rejects with the server's error messages. */
export async function graphql(query, variables = {}) {
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`${ENDPOINT} answered ${response.status} ${response.statusText} without a GraphQL result`);
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('\n'));
  if (!response.ok || !body.data) throw new Error(`${ENDPOINT} answered ${response.status} ${response.statusText}`);
  return body.data;
}

/** A value as a GraphQL literal (JSON's strings are GraphQL strings). */
function literal(value) {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return JSON.stringify(value);
}

/**
 * The query with its variables written in, ready to run as it stands: the variable
 * definitions go, each `$name` becomes its value, and an argument whose value is null
 * is left out (the same as not giving it).
 */
export function inlineQuery(query, variables) {
  let text = query.replace(/^(query \w+)\([^)]*\)/, '$1');
  for (const [name, value] of Object.entries(variables)) {
    if (value === null || value === undefined) {
      text = text.replace(new RegExp(`, \\w+: \\$${name}\\b`, 'g'), '').replace(new RegExp(`\\w+: \\$${name}\\b(, )?`, 'g'), '');
    } else {
      text = text.replace(new RegExp(`\\$${name}\\b`, 'g'), literal(value));
    }
  }
  return text.replace(/\(\)/g, '');
}

/** GraphiQL (GET /graphql in a browser) with this query in its editor. */
export function graphiqlUrl(query, variables, comment) {
  const text = `# ${comment}\n${inlineQuery(query, variables)}\n`;
  return `${ENDPOINT}?${new URLSearchParams({ query: text })}`;
}
