/**
 * The smallest documents that exercise source loading: an OpenAPI description with one GET whose
 * `id` path parameter has the given schema (a `$ref`, say), and an Arazzo workflow with one step
 * that calls it from the source at `url`. The remote-source and hostile-document tests vary only
 * where these point, not what they say.
 */
export const oneGetOpenApi = ({ schema = '{ type: string }', server = 'https://api.example.test', title = 'one-get' }: { schema?: string; server?: string; title?: string } = {}) => `openapi: 3.1.0
info: { title: ${title}, version: "1" }
servers:
  - url: ${server}
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - { name: id, in: path, required: true, schema: ${schema} }
      responses:
        "200": { description: ok }
`;

export const oneStepArazzo = (url: string, title = 'one-step') => `arazzo: 1.0.1
info: { title: ${title}, version: "1" }
sourceDescriptions:
  - { name: api, url: ${JSON.stringify(url)}, type: openapi }
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: getItem
        parameters: [{ name: id, in: path, value: "1" }]
        successCriteria: [{ condition: $statusCode == 200 }]
`;
