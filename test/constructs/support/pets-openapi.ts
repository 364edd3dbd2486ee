/**
 * The OpenAPI description most construct tests call. Every operation declares `X-Trace-Id`
 * so that workflow-level parameters can apply to every step. The server URL is never
 * dialled: runs point every source at the loopback server.
 */
export const PETS_OPENAPI = `
openapi: 3.1.0
info: { title: Pets, version: 1.0.0 }
servers:
  - url: https://pets.invalid
components:
  parameters:
    trace:
      name: X-Trace-Id
      in: header
      schema: { type: string }
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - $ref: '#/components/parameters/trace'
        - { name: status, in: query, schema: { type: string } }
        - { name: limit, in: query, schema: { type: integer } }
      responses: { '200': { description: ok } }
    post:
      operationId: createPet
      parameters:
        - $ref: '#/components/parameters/trace'
        - { name: Idempotency-Key, in: header, schema: { type: string } }
      requestBody:
        content:
          application/json: { schema: { type: object } }
      responses: { '201': { description: created } }
  /pets/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      operationId: getPet
      parameters:
        - $ref: '#/components/parameters/trace'
        - { name: verbose, in: query, schema: { type: string } }
        - { name: session, in: cookie, schema: { type: string } }
        - { name: X-Locale, in: header, schema: { type: string } }
      responses: { '200': { description: ok } }
    put:
      operationId: updatePet
      parameters:
        - $ref: '#/components/parameters/trace'
      requestBody:
        content:
          application/json: { schema: { type: object } }
      responses: { '200': { description: ok } }
  /pets/{id}/notes:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    post:
      operationId: addNote
      parameters:
        - $ref: '#/components/parameters/trace'
      requestBody:
        content:
          application/x-www-form-urlencoded: { schema: { type: object } }
      responses: { '201': { description: created } }
  /health:
    get:
      parameters:
        - $ref: '#/components/parameters/trace'
      responses: { '200': { description: ok } }
  /pets/{id}/status:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      operationId: getPetStatus
      parameters:
        - $ref: '#/components/parameters/trace'
      responses: { '200': { description: ok } }
`;

/** The head of an Arazzo document whose only source is PETS_OPENAPI (written as ./openapi.yml). */
export const ARAZZO_HEAD = `
arazzo: 1.0.1
info: { title: construct test, version: 1.0.0 }
sourceDescriptions:
  - name: pets
    url: ./openapi.yml
    type: openapi
`;
