import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { IOT_SQL_VERSION, iotRuleSql } from '../../functions/runtime/messages/mqtt-messages.js';

/**
 * A topic's rule id: readable, and unique even where two topics differ only in characters a
 * construct id cannot hold (`a/b` and `a-b`).
 */
export const mqttRuleId = (topic: string) => `Receive.mqtt-${topic.replace(/[^A-Za-z0-9]/g, '-').slice(0, 60)}-${createHash('sha256').update(topic).digest('hex').slice(0, 8)}`;

/**
 * The role AWS IoT assumes for the rules' error action: send to the dead-letter queue, nothing
 * else, and only for rules of this account.
 */
export function mqttErrorActionRole(scope: Construct, deadLetters: sqs.IQueue): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'ReceiveMqtt.ErrorActionRole', {
    assumedBy: new iam.ServicePrincipal('iot.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'iot', resource: 'rule', resourceName: '*' }) },
    }),
    description: 'arazzo-sfn: AWS IoT puts MQTT messages for receive steps it could not hand to the broker receiver in its dead-letter queue',
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn] }));
  return role;
}

/**
 * One AWS IoT topic rule for an MQTT topic that receive steps listen on: its SQL selects what the
 * broker receiver reads (`iotRuleSql`: the payload as base64, the content type, the named user
 * properties), its Lambda action invokes the receiver (asynchronously: a receiver fault is retried
 * by Lambda, then lands in the dead-letter queue through the receiver's on-failure destination),
 * and its error action puts what IoT could not hand to the receiver at all (throttled, denied) in
 * the same queue. IoT may invoke the receiver for this rule only.
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/rule-error-handling.html
 */
export function wireMqttRule(
  scope: Construct,
  receiver: lambda.IFunction,
  topic: string,
  headers: readonly string[],
  deadLetters: sqs.IQueue,
  errorRole: iam.IRole,
): iot.CfnTopicRule {
  const id = mqttRuleId(topic);
  const rule = new iot.CfnTopicRule(scope, id, {
    topicRulePayload: {
      description: `arazzo-sfn: MQTT messages on ${topic}, for receive steps`,
      sql: iotRuleSql(topic, headers),
      awsIotSqlVersion: IOT_SQL_VERSION,
      ruleDisabled: false,
      actions: [{ lambda: { functionArn: receiver.functionArn } }],
      errorAction: { sqs: { queueUrl: deadLetters.queueUrl, roleArn: errorRole.roleArn, useBase64: false } },
    },
  });
  receiver.addPermission(`${id}.Invoke`, {
    principal: new iam.ServicePrincipal('iot.amazonaws.com'),
    action: 'lambda:InvokeFunction',
    sourceArn: rule.attrArn,
    sourceAccount: Stack.of(scope).account,
  });
  return rule;
}
