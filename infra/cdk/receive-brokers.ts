import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iot from 'aws-cdk-lib/aws-iot';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StepPlan } from '../../core/plan.js';
import { MAX_RECEIVES } from '../../functions/handlers/create-broker-handler.js';
import { brokerTargetName, type BrokerTransport } from '../../functions/runtime/messages/publish-message.js';
import { mqttErrorActionRole, wireMqttRule } from './receive-mqtt-rules.js';

/** What the receive steps' brokers were wired with. */
export interface BrokerWiring {
  /** Queue ARN → the target it carries (`sqs:<queue>`, `sns:<topic>`): the receiver's ARAZZO_RECEIVE_QUEUES. */
  readonly queueTargets: Record<string, string>;
  /** The queues read, by target. */
  readonly queues: Record<string, sqs.IQueue>;
  /** The queues this construct created (the receive queues and their dead-letter queues), for cdk-nag. */
  readonly created: sqs.Queue[];
  /** The rules of EventBridge channels, by `<bus>/<source>/<detail-type>`. */
  readonly rules: Record<string, events.Rule>;
  /** The AWS IoT topic rules of MQTT channels, by topic. */
  readonly mqttRules: Record<string, iot.CfnTopicRule>;
  /**
   * When there is an EventBridge rule or an IoT topic rule (both invoke the receiver
   * asynchronously): where EventBridge puts an event it could not invoke the receiver with (the
   * event itself), where IoT's error action puts an MQTT message it could not (a record of the
   * rule, topic, failure and `base64OriginalPayload`), and where Lambda puts an event the receiver
   * still failed on after its asynchronous retries (the on-failure destination, a record whose
   * `requestPayload` is the event). Redrive by reading it and putting the events, or publishing the
   * messages, again.
   */
  readonly eventDeadLetters?: sqs.Queue;
}

/** A queue's visibility timeout must outlast the function it feeds, six times over as AWS advises for event source mappings. */
const visibilityFor = (fn: lambda.Function) => Duration.seconds(6 * (fn.timeout?.toSeconds() ?? 25));

/**
 * A queue with SSL enforced, a dead-letter queue, and SQS-managed encryption: SNS may send to it
 * without a key policy (the AWS managed key aws/sqs admits no service principal).
 */
function createQueue(scope: Construct, id: string, receiver: lambda.Function, created: sqs.Queue[], options: { queueName?: string; fifo?: boolean } = {}): sqs.Queue {
  const { queueName } = options;
  // A FIFO queue's dead-letter queue must be FIFO too.
  const fifo = options.fifo || queueName?.endsWith('.fifo') ? { fifo: true } : {};
  const deadLetters = new sqs.Queue(scope, `${id}.DeadLetters`, { ...fifo, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  const queue = new sqs.Queue(scope, id, {
    ...(queueName ? { queueName } : {}),
    ...fifo,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: visibilityFor(receiver),
    // A message the receiver failed on is moved here at its MAX_RECEIVES-th receipt, before the receiver would drop it
    // (it drops one at that receipt, for the queues it is given without a redrive policy): never lost, never looping.
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVES - 1 },
  });
  created.push(queue, deadLetters);
  return queue;
}

/**
 * Wires each broker channel a receive step listens on to the broker receiver, from the channel's
 * binding: an SQS queue (imported by name, given, or created) through an event source mapping
 * with partial batch responses; an SNS topic through a queue the construct creates and subscribes
 * (raw delivery, so message attributes stay attributes); an EventBridge bus through a rule on the
 * binding's source and detail-type; an MQTT topic through an AWS IoT topic rule (receive-mqtt-rules.ts).
 * The receiver's role may read and delete messages of those queues only (ReceiveMessage,
 * DeleteMessage, GetQueueAttributes, as the mapping needs) and send to the rules' dead-letter
 * queue only (its on-failure destination), and EventBridge and IoT may invoke it for those rules only.
 */
export function wireBrokerReceivers(
  scope: Construct,
  receiver: lambda.Function,
  steps: readonly StepPlan[],
  given: Readonly<Record<string, sqs.IQueue | 'create'>>,
): BrokerWiring {
  const stack = Stack.of(scope);
  const wiring: BrokerWiring = { queueTargets: {}, queues: {}, created: [], rules: {}, mqttRules: {} };
  const transports = new Map<string, BrokerTransport>();
  // A topic's rule carries over the headers of every receive step on it.
  const mqttHeaders = new Map<string, Set<string>>();
  for (const step of steps) {
    const transport = step.channel?.transport;
    if (!transport || transport.kind === 'http') continue;
    const key = transport.kind === 'eventbridge' ? `eventbridge:${transport.eventBusName}/${transport.source}/${transport.detailType}` : brokerTargetName(transport);
    transports.set(key, transport);
    if (transport.kind === 'mqtt') mqttHeaders.set(transport.topic, new Set([...(mqttHeaders.get(transport.topic) ?? []), ...transport.headers]));
  }
  const deadLettersOf = (): sqs.Queue => {
    if (wiring.eventDeadLetters) return wiring.eventDeadLetters;
    const deadLetters = new sqs.Queue(scope, 'ReceiveEventDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    (wiring as { eventDeadLetters?: sqs.Queue }).eventDeadLetters = deadLetters;
    wiring.created.push(deadLetters);
    // Only the rules invoke the receiver asynchronously (the event source mappings invoke it synchronously). An event it
    // throws on is tried twice more (Lambda's most) for as long as Lambda keeps an event (6 hours, its most: a receive
    // step may wait that long for its message), then lands in the same queue as the events the rules could not deliver.
    // The destination grants the receiver's role SendMessage on this queue only.
    receiver.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new destinations.SqsDestination(deadLetters) });
    return deadLetters;
  };
  let mqttErrorRole: iam.Role | undefined;
  for (const [key, transport] of transports) {
    const id = `Receive.${key.replace(/[^A-Za-z0-9]/g, '-')}`;
    if (transport.kind === 'mqtt') {
      const deadLetters = deadLettersOf();
      mqttErrorRole ??= mqttErrorActionRole(scope, deadLetters);
      wiring.mqttRules[transport.topic] = wireMqttRule(scope, receiver, transport.topic, [...mqttHeaders.get(transport.topic)!], deadLetters, mqttErrorRole);
      continue;
    }
    if (transport.kind === 'eventbridge') {
      const bus = events.EventBus.fromEventBusName(scope, `${id}.Bus`, transport.eventBusName);
      const deadLetters = deadLettersOf();
      const rule = new events.Rule(scope, id, {
        eventBus: bus,
        description: `arazzo-sfn: ${transport.detailType} events from ${transport.source}, for receive steps`,
        eventPattern: { source: [transport.source], detailType: [transport.detailType] },
      });
      rule.addTarget(new targets.LambdaFunction(receiver, { retryAttempts: 2, maxEventAge: Duration.hours(24), deadLetterQueue: deadLetters }));
      wiring.rules[key] = rule;
      continue;
    }
    let queue: sqs.IQueue;
    if (transport.kind === 'sns') {
      // A FIFO topic delivers to FIFO queues only.
      queue = createQueue(scope, id, receiver, wiring.created, { fifo: transport.fifo !== undefined });
      const topic = sns.Topic.fromTopicArn(scope, `${id}.Topic`, stack.formatArn({ service: 'sns', resource: transport.topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }));
      topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
    } else {
      const chosen = given[transport.queueName];
      queue =
        chosen === 'create'
          ? createQueue(scope, id, receiver, wiring.created, { queueName: transport.queueName, fifo: transport.fifo !== undefined })
          : (chosen ?? sqs.Queue.fromQueueArn(scope, id, stack.formatArn({ service: 'sqs', resource: transport.queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME })));
    }
    wiring.queues[key] = queue;
    wiring.queueTargets[queue.queueArn] = key;
    new lambda.EventSourceMapping(scope, `${id}.Mapping`, { target: receiver, eventSourceArn: queue.queueArn, batchSize: 10, reportBatchItemFailures: true });
    receiver.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
    // A queue encrypted with a customer managed key: the mapping reads through it.
    queue.encryptionMasterKey?.grantDecrypt(receiver);
  }
  return wiring;
}
