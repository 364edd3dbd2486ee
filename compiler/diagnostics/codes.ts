/**
 * Every diagnostic the compiler can report. The table in docs/diagnostics.md is generated from
 * the same list by hand; keep them in step.
 */
export const DiagnosticCodes = {
  // Errors: the document cannot be compiled.
  yamlSyntax: { code: 'ASFN1001', rule: 'yaml-syntax' },
  schema: { code: 'ASFN1002', rule: 'arazzo-schema' },
  sourceUnreadable: { code: 'ASFN1003', rule: 'source-description' },
  openApiInvalid: { code: 'ASFN1004', rule: 'openapi' },
  unknownOperation: { code: 'ASFN1005', rule: 'operation-binding' },
  ambiguousOperation: { code: 'ASFN1006', rule: 'operation-binding' },
  duplicateId: { code: 'ASFN1007', rule: 'duplicate-id' },
  unknownStep: { code: 'ASFN1008', rule: 'step-target' },
  expressionSyntax: { code: 'ASFN1009', rule: 'runtime-expression' },
  expressionReference: { code: 'ASFN1010', rule: 'runtime-expression' },
  undeclaredParameter: { code: 'ASFN1011', rule: 'parameters' },
  missingParameter: { code: 'ASFN1012', rule: 'parameters' },
  criterionSyntax: { code: 'ASFN1013', rule: 'criteria' },
  unsupported: { code: 'ASFN1014', rule: 'unsupported' },
  unknownWorkflow: { code: 'ASFN1015', rule: 'workflow-target' },
  inputsSchema: { code: 'ASFN1016', rule: 'inputs-schema' },
  missingRequestBody: { code: 'ASFN1017', rule: 'request-body' },
  loopBound: { code: 'ASFN1018', rule: 'loop-bound' },
  undeclaredInput: { code: 'ASFN1019', rule: 'undeclared-input' },
  undeclaredOutput: { code: 'ASFN1020', rule: 'undeclared-output' },
  callbackExtension: { code: 'ASFN1021', rule: 'callback' },
  serverUrl: { code: 'ASFN1022', rule: 'server-url' },
  notDependedOn: { code: 'ASFN1023', rule: 'depends-on' },
  stringPayloadReplacement: { code: 'ASFN1024', rule: 'request-body' },
  // Respect's x-security (issue 13 §4).
  securityExtension: { code: 'ASFN1030', rule: 'x-security' },
  securityUnknownScheme: { code: 'ASFN1031', rule: 'x-security-scheme-name' },
  securityMissingValue: { code: 'ASFN1032', rule: 'x-security-required-values' },
  securityLiteralSecret: { code: 'ASFN1033', rule: 'x-security-literal-secret' },
  securityUnsupported: { code: 'ASFN1034', rule: 'x-security-unsupported' },
  // Remote source descriptions (issue 13 §3, docs/remote-sources.md).
  remoteFetch: { code: 'ASFN1025', rule: 'remote-fetch' },
  remoteRefused: { code: 'ASFN1026', rule: 'remote-address' },
  sourceLock: { code: 'ASFN1027', rule: 'source-lock' },
  sourceLockMismatch: { code: 'ASFN1028', rule: 'source-lock-hash' },
  // Signed requests (issue 18).
  signingDeclaration: { code: 'ASFN1050', rule: 'signing-declaration' },
  signingUnsupported: { code: 'ASFN1051', rule: 'signing-unsupported' },
  signingKeyId: { code: 'ASFN1120', rule: 'signing-key-id' },
  signingConfig: { code: 'ASFN1145', rule: 'signing-config' },
  // Verified inbound webhooks (issue 19 §3).
  callbackVerification: { code: 'ASFN1070', rule: 'callback-verify' },
  verifyOutsideReceive: { code: 'ASFN1155', rule: 'receive-verify' },
  // mTLS and private_key_jwt (issue 19 §2, docs/mtls.md).
  clientAssertion: { code: 'ASFN1115', rule: 'x-security-client-assertion' },
  mutualTlsOverHttp: { code: 'ASFN2115', rule: 'x-security-mutual-tls-https' },
  mutualTlsNotSupplied: { code: 'ASFN2116', rule: 'x-security-mutual-tls-required' },
  clientSecretUnused: { code: 'ASFN2117', rule: 'x-security-client-secret-unused' },
  // Arazzo 1.1 (issue 17): what a 1.1 document may use that is not compiled yet, step dependsOn, $self.
  stepDependsOnTarget: { code: 'ASFN1056', rule: 'step-depends-on' },
  stepDependsOnCycle: { code: 'ASFN1057', rule: 'step-depends-on-cycle' },
  stepDependsOnOrder: { code: 'ASFN1058', rule: 'step-depends-on-order' },
  arazzo11Field: { code: 'ASFN1063', rule: 'arazzo-version' },
  selfUri: { code: 'ASFN1064', rule: 'self-uri' },
  // Arazzo 1.1 step timeout, action parameters, in: querystring (issue 17).
  stepTimeout: { code: 'ASFN1105', rule: 'step-timeout' },
  // Arazzo 1.1 AsyncAPI steps (issue 17, part 2).
  asyncApiInvalid: { code: 'ASFN1090', rule: 'asyncapi-description' },
  unknownAsyncOperation: { code: 'ASFN1091', rule: 'asyncapi-operation' },
  asyncStep: { code: 'ASFN1092', rule: 'asyncapi-step' },
  channelTransport: { code: 'ASFN1093', rule: 'asyncapi-binding' },
  verifyOnBroker: { code: 'ASFN1130', rule: 'receive-verify-broker' },
  messageOutsideReceive: { code: 'ASFN1094', rule: 'message-expression' },
  brokerMessageAttributes: { code: 'ASFN1165', rule: 'broker-message-attributes' },
  // MQTT channels on AWS IoT Core (issue 17, docs/asyncapi.md).
  mqttTopicParameters: { code: 'ASFN1175', rule: 'mqtt-topic-parameters' },
  mqttTopicWildcard: { code: 'ASFN1176', rule: 'mqtt-topic-wildcard' },
  mqttTopicLimit: { code: 'ASFN1177', rule: 'mqtt-topic-iot' },
  mqttHeaderName: { code: 'ASFN1178', rule: 'mqtt-header-name' },
  mqttCorrelationOn311: { code: 'ASFN1179', rule: 'mqtt-311-correlation' },
  mqttBinding: { code: 'ASFN1180', rule: 'mqtt-binding' },
  mqttQos2: { code: 'ASFN2175', rule: 'mqtt-qos2' },
  mqttHeadersOn311: { code: 'ASFN2176', rule: 'mqtt-311-headers' },
  // Selector Objects, Expression Type Objects and targetSelectorType (Arazzo 1.1, issue 17).
  selectorType: { code: 'ASFN1100', rule: 'selector-type' },
  selectorSyntax: { code: 'ASFN1101', rule: 'selector-syntax' },
  selectorVersionUnsupported: { code: 'ASFN1102', rule: 'selector-version' },
  replacementTarget: { code: 'ASFN1103', rule: 'replacement-target' },
  actionParameterIn: { code: 'ASFN1106', rule: 'action-parameters' },
  querystringConflict: { code: 'ASFN1107', rule: 'querystring' },
  // Warnings (lint).
  legacyJsonPath: { code: 'ASFN2001', rule: 'jsonpath-rfc9535' },
  bareEmbeddedExpression: { code: 'ASFN2002', rule: 'embedded-expression-braces' },
  outputMayBeMissing: { code: 'ASFN2003', rule: 'output-step-may-not-run' },
  implicitLoopDelay: { code: 'ASFN2004', rule: 'loop-delay' },
  credentialByName: { code: 'ASFN2005', rule: 'credential-input' },
  unreachableStep: { code: 'ASFN2006', rule: 'unreachable-step' },
  providerDifference: { code: 'ASFN2007', rule: 'openapi' },
  unexpectedRequestBody: { code: 'ASFN2008', rule: 'request-body' },
  deprecatedOperation: { code: 'ASFN2009', rule: 'deprecated-operation' },
  // What the spec leaves to a SHOULD, or to the provider: warned about, compiled anyway (Arazzo 1.0.1, issue 13 §1).
  requiredParameterUnset: { code: 'ASFN2010', rule: 'required-parameter' },
  extraParameter: { code: 'ASFN2011', rule: 'undeclared-parameter' },
  unlistedContentType: { code: 'ASFN2012', rule: 'request-content-type' },
  noHttpInWorkflowStep: { code: 'ASFN2013', rule: 'workflow-step-http' },
  unlistedInput: { code: 'ASFN2014', rule: 'undeclared-input' },
  idPattern: { code: 'ASFN2015', rule: 'id-pattern' },
  regexBacktracking: { code: 'ASFN2017', rule: 'regex-backtracking' },
  sourceDotOperationId: { code: 'ASFN2026', rule: 'operation-id-short-form' },
  receiveWithoutCorrelation: { code: 'ASFN2090', rule: 'receive-correlation' },
  asyncStepFieldIgnored: { code: 'ASFN2092', rule: 'asyncapi-step-field' },
  // Loading untrusted documents (issue 14).
  outsideDocumentTree: { code: 'ASFN2016', rule: 'document-tree' },
  // Respect's x-security (issue 13 §4).
  securityUnknownValue: { code: 'ASFN2022', rule: 'x-security-unknown-value' },
  securityReplacesParameter: { code: 'ASFN2023', rule: 'x-security-replaces-parameter' },
  securityOnWorkflowStep: { code: 'ASFN2024', rule: 'x-security-workflow-step' },
  securitySchemeUnqualified: { code: 'ASFN2025', rule: 'x-security-scheme-name-reference' },
  remoteChanged: { code: 'ASFN2018', rule: 'remote-changed' },
  // Signed requests (issue 18).
  signingReplacesParameter: { code: 'ASFN2038', rule: 'signing-replaces-parameter' },
  signatureHeaderUnset: { code: 'ASFN2039', rule: 'signature-header' },
  signedHeaderUnset: { code: 'ASFN2040', rule: 'signed-header' },
  signingKeyIdInput: { code: 'ASFN2120', rule: 'signing-key-id-input' },
  signingConfigUnknownSource: { code: 'ASFN2145', rule: 'signing-config-source' },
  signingConfigUnused: { code: 'ASFN2146', rule: 'signing-config-unused' },
  // Other people's documents, continued (issue 13).
  impliedDependsOn: { code: 'ASFN2125', rule: 'implied-depends-on' },
  credentialMarkUnread: { code: 'ASFN1125', rule: 'credential-mark' },
  // Arazzo 1.1 (issue 17).
  stepTimeoutLimit: { code: 'ASFN2105', rule: 'step-timeout-limit' },
  actionParametersUnused: { code: 'ASFN2106', rule: 'action-parameters-unused' },
  // Arazzo 1.1 parallel steps (issue 17).
  parallelSequential: { code: 'ASFN2085', rule: 'parallel-sequential' },
  // Personal data sealed out of history (issue 19 §4).
  personalDeclaration: { code: 'ASFN1110', rule: 'personal-data' },
  personalUnknown: { code: 'ASFN2110', rule: 'personal-data-unknown' },
  // Selector Objects (Arazzo 1.1, issue 17).
  xpathVersionRead31: { code: 'ASFN2100', rule: 'xpath-version' },
  // Criteria conditions, spec-exact (Arazzo 1.1, issue 17).
  conditionEmbeddedExpression: { code: 'ASFN1135', rule: 'condition-embedded-expression' },
  simpleLiteralEmbedsExpression: { code: 'ASFN2140', rule: 'simple-condition-embedded-literal' },
  goessnerFilterUnread: { code: 'ASFN1136', rule: 'jsonpath-goessner-script' },
  goessnerFilterRead: { code: 'ASFN2135', rule: 'jsonpath-goessner-filter' },
  // Step timeouts against retries, throttling and the execution's own bound (Arazzo 1.1, issue 17).
  stepTimeoutRetry: { code: 'ASFN2170', rule: 'step-timeout-retry' },
  stepTimeoutExecution: { code: 'ASFN2171', rule: 'step-timeout-execution' },
  throttleExecution: { code: 'ASFN2172', rule: 'throttle-execution' },
  // The audit of Arazzo 1.1.0's normative text (issue 17, docs/spec-conformance-1.1.md): SHOULDs warned about.
  preferOperationId: { code: 'ASFN2195', rule: 'prefer-operation-id' },
  requestBodyMethod: { code: 'ASFN2196', rule: 'request-body-method' },
  receiveSuccessCriteria: { code: 'ASFN2197', rule: 'receive-success-criteria' },
  simpleDoubleQuote: { code: 'ASFN2198', rule: 'simple-condition-double-quote' },
  // The broker receiver's loose ends (issue 17 follow-ups).
  eventEnvelopeHeader: { code: 'ASFN2205', rule: 'eventbridge-envelope-header' },
  sharedReceiveChannel: { code: 'ASFN2206', rule: 'shared-receive-channel' },
  // The session review (issue 17).
  receiveOwnSend: { code: 'ASFN2215', rule: 'receive-own-send' },
  // Operator follow-ups (issues 17/19): webhook verification by configuration.
  verificationConfigUnused: { code: 'ASFN2210', rule: 'webhook-verification-config-unused' },
  // Arazzo 1.1 § Identity-Based Referencing: arazzo sources by `$self` (issue 17).
  selfAmbiguous: { code: 'ASFN1220', rule: 'self-identity' },
  selfNotReferenced: { code: 'ASFN2220', rule: 'self-reference' },
  // Arazzo 1.1 § Parameter Object: a querystring value in its `content` media type (issue 17).
  querystringMediaType: { code: 'ASFN1225', rule: 'querystring-media-type' },
  // Arazzo 1.1 § Runtime Expressions: source-name is identifier-strict (issue 17).
  sourceNameInExpression: { code: 'ASFN1226', rule: 'source-name-expression' },
} as const satisfies Record<string, { code: string; rule: string }>;

export type DiagnosticKind = keyof typeof DiagnosticCodes;
